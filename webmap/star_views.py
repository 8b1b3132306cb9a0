"""The staff page of the "532" star rating, the weak list and rectification (/stars/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from geo.analysis.stars import load_star_profile
from geo.services.access import own_scope
from geo.services.text import chinese

from .context import scope_year_choices


@require_GET
@login_required
@permission_required("geo.view_starscore", raise_exception=True)
def stars(request: HttpRequest) -> HttpResponse:
    """Star map and table of a year, the weak list with reasons, scoring and rectification."""
    scope = own_scope(request.user)
    profile = load_star_profile()
    zh = chinese()
    return render(request, "webmap/stars.html", {
        **scope_year_choices(scope),
        "profile_title": profile.title if zh else profile.title_en,
        "award_at": f"{profile.award_at:g}",
        "weak_pct": f"{100 * profile.weak_share:g}",
        "weak_villages_pct": f"{100 * profile.weak_share_villages:g}",
        "stars": [(s.key, s.title if zh else s.title_en, s.measure is None)
                  for s in profile.stars],
        "can_score": request.user.has_perm("geo.change_starscore"),
        "can_rectify": request.user.has_perm("geo.add_rectification"),
    })
