"""The grid editor page (/plan/); its JSON endpoints are in webmap.api.plan."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.models import Community, Street
from geo.services.access import own_scope


@require_GET
@login_required
@permission_required("geo.change_gridunit", raise_exception=True)
def editor(request: HttpRequest) -> HttpResponse:
    """The grid editor page."""
    scope = own_scope(request.user)
    # The picker lists only what the planner may edit; the endpoints refuse the rest.
    streets = (Street.objects.filter(code__startswith=scope[:9]).order_by("code")
               .prefetch_related(Prefetch("communities", Community.objects.filter(
                   code__startswith=scope).order_by("code"))))
    return render(request, "webmap/plan.html", {"streets": streets})
