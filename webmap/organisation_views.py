"""The staff page of posts, social workers, funds and 挂点 leaders (/organisation/)."""

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
@permission_required("geo.view_communitystaffing", raise_exception=True)
def organisation(request: HttpRequest) -> HttpResponse:
    """Staffing map and tables of a year, leaders and their links, forms and imports."""
    scope = own_scope(request.user)
    rules = load_profile().staffing
    perms = request.user
    return render(request, "webmap/organisation.html", {
        **scope_year_choices(scope),
        "rules": rules,
        "funds": [(s.households_at_least, f"{s.min_yuan:,.0f}")
                  for s in sorted(rules.funds, key=lambda s: s.households_at_least)],
        "can_staffing": perms.has_perm("geo.change_communitystaffing"),
        "can_streets": perms.has_perm("geo.change_streetstaffing"),
        "can_links": perms.has_perm("geo.add_leaderlink"),
        "suffixes": " ".join(SHEET_SUFFIXES),
    })
