"""The staff page of grid events: the scope's open events on a map and by due time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.analysis.event_flow import State
from geo.models.events import STATE_LABELS
from geo.services import events as svc
from geo.services.access import own_scope
from geo.services.text import title_of


@require_GET
@login_required
@permission_required("geo.view_community", raise_exception=True)
def events(request: HttpRequest) -> HttpResponse:
    """Grid workers accept and report back; the office files, dispatches and verifies."""
    own_scope(request.user)  # a user without a scope is refused here, not by an empty map
    return render(request, "webmap/events.html", {
        "states": [(s.value, STATE_LABELS[s]) for s in State],
        "categories": [(c.code, title_of(c))
                       for c in svc.categories().values()],
        "departments": {d.code: title_of(d)
                        for d in svc.departments().values()}})
