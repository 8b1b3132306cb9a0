"""Staff pages (/reports/): the scope's map and tables, and report downloads.

The pairing optimiser the page reviews answers under /api/v1/pairing (webmap.api.analysis).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo.analysis.coverage import parse_reaches
from geo.analysis.rules import RuleProfile, available_profiles, load_profile
from geo.models import District, Street
from geo.models.scope import check_scope
from geo.services.access import own_scope, scope_for_read
from geo.services.errors import HANDLED, classify, describe, error_body
from webmap.reports.gather import gather
from webmap.reports.render import CONTENT_TYPES, FORMATS, report_filename
from webmap.reports.render import render as render_report


class ReportRequest(NamedTuple):
    scope: str
    format: str
    profile_name: str | None
    profile: RuleProfile
    reaches: list[float]


@require_GET
@login_required
@permission_required("geo.view_community", raise_exception=True)
def reports(request: HttpRequest) -> HttpResponse:
    """Map and tables of a scope: reach, facility ratio, pairings, reporting members."""
    scope = own_scope(request.user)
    # A street's staff pick among what they may read; wider districts are not offered.
    return render(request, "webmap/reports.html", {
        "districts": District.objects.filter(code__startswith=scope).order_by("code")
        if len(scope) <= 6 else District.objects.none(),
        "streets": Street.objects.filter(code__startswith=scope[:9]).order_by("code")
        if len(scope) <= 9 else Street.objects.none(),
        "profiles": available_profiles(),
    })


def report_request(request: HttpRequest, query: Any) -> ReportRequest:
    """The report a request asks for, checked: ValueError or PermissionDenied saying why."""
    fmt = query.get("format", "xlsx")
    profile_name = query.get("profile") or None
    if fmt not in FORMATS:
        raise ValueError(_("format 应为 %(formats)s 之一") % {"formats": ", ".join(FORMATS)})
    # Only built-in profiles by name: a path would let a request read server files.
    if profile_name is not None and profile_name not in available_profiles():
        raise ValueError(_("profile 应为 %(names)s 之一，不是 %(name)r") % {
            "names": ", ".join(available_profiles()), "name": profile_name})
    profile = load_profile(profile_name)
    reach = query.get("reach")
    try:
        reaches = parse_reaches(reach) if reach else list(profile.walk_reach_m)
    except ValueError as exc:
        raise ValueError(f"reach: {describe(exc)}") from exc
    # Checked now, not when a worker gets to it: a job for a code that names nothing fails
    # at once, in the form that asked for it.
    scope = check_scope(scope_for_read(request.user, query.get("scope") or ""))
    return ReportRequest(scope, fmt, profile_name, profile, reaches)


@require_GET
@login_required
@permission_required("geo.view_community", raise_exception=True)
def export(request: HttpRequest) -> HttpResponse:
    """The coverage report of a scope as a download (xlsx, pdf, html or json), made now."""
    try:
        asked = report_request(request, request.GET)
        doc = gather(asked.scope, asked.profile, asked.reaches)
        data = render_report(doc, asked.format)
    except HANDLED as exc:
        code, status = classify(exc)
        return JsonResponse(error_body(code, describe(exc)), status=status)
    name = report_filename(doc, asked.format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[asked.format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
