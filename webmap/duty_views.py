"""The staff page of members' "五个一" (/members/duties/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo.analysis.rules import load_profile
from geo.models.duties import DutyKind
from geo.roles import PERSONAL_DATA
from geo.services.access import own_scope
from geo.services.duties import duty_labels

from .context import scope_year_choices
from .sheet_views import SHEET_SUFFIXES


@require_GET
@login_required
@permission_required("geo.view_memberactivity", raise_exception=True)
def duties(request: HttpRequest) -> HttpResponse:
    """Completion map and tables, who is behind, recording and importing activities."""
    scope = own_scope(request.user)
    labels = duty_labels()
    profile = load_profile()
    return render(request, "webmap/duties.html", {
        **scope_year_choices(scope),
        "kinds": [(k.value, k.label) for k in DutyKind],
        "required": _("、").join(_("%(duty)s %(n)s 次") % {"duty": labels[k], "n": n}
                                for k, n in profile.member_duties),
        "can_record": request.user.has_perm("geo.add_memberactivity"),
        "can_unmask": request.user.has_perm(PERSONAL_DATA),
        "suffixes": " ".join(SHEET_SUFFIXES),
    })


