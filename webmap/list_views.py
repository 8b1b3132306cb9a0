"""The staff page of 三张清单 (/lists/): needs, resources, the matching and the projects."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.analysis.rules import load_profile
from geo.models import CoBuildingUnit, Community, ListKind
from geo.services.access import own_scope, scope_filter

from .context import scope_year_choices
from .sheet_views import SHEET_SUFFIXES


@require_GET
@login_required
@permission_required("geo.view_need", raise_exception=True)
def lists(request: HttpRequest) -> HttpResponse:
    """Map of needs, resources and projects of a year; tables, forms, matching, imports."""
    scope = own_scope(request.user)
    user = request.user
    profile = load_profile()
    can_need = user.has_perm("geo.add_need")
    can_resource = user.has_perm("geo.add_resource")
    return render(request, "webmap/lists.html", {
        **scope_year_choices(scope),
        "kinds": ListKind.choices,
        "max_m": f"{profile.lists_max_distance_m:,.0f}",
        "paired_pct": f"{100 * (1 - profile.lists_paired_factor):g}",
        "can_need": can_need, "can_resource": can_resource,
        "can_match": user.has_perm("geo.add_project"),
        "can_review": user.has_perm("geo.change_project"),
        "communities": Community.objects.filter(code__startswith=scope).order_by("code")
        .only("code", "name") if can_need else Community.objects.none(),
        "units": CoBuildingUnit.objects.filter(scope_filter(CoBuildingUnit, scope),
                                               candidate=False).order_by("name")
        .only("pk", "name")[:2000] if can_resource else CoBuildingUnit.objects.none(),
        "suffixes": " ".join(SHEET_SUFFIXES),
    })
