"""The staff page of direction signs (/signs/): a map of sign sites and the export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.analysis.rules import load_profile
from geo.services.access import own_scope

from .context import scope_year_choices
from .sheet_views import SHEET_SUFFIXES


@require_GET
@login_required
@permission_required("geo.view_servicecenter", raise_exception=True)
def signs(request: HttpRequest) -> HttpResponse:
    """Sign sites per center on the map, their texts, and CSV/XLSX for procurement."""
    scope = own_scope(request.user)
    rules = load_profile().signs
    return render(request, "webmap/signs.html", {
        **scope_year_choices(scope), "reach_m": f"{rules.reach_m:,.0f}",
        "max_signs": rules.max_signs, "spacing_m": f"{rules.min_spacing_m:,.0f}",
        "can_save": request.user.has_perm("geo.add_directionsign"),
        "can_review": request.user.has_perm("geo.change_directionsign"),
        "suffixes": " ".join(SHEET_SUFFIXES),
    })
