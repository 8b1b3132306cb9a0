"""Staff pages (/reports/): the scope's map and tables, and report downloads.

The pairing optimiser the page reviews answers under /api/v1/pairing (webmap.api.analysis).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo.analysis.coverage import parse_reaches
from geo.analysis.rules import available_profiles, load_profile
from geo.models import District, Street
from geo.services.access import own_scope, scope_for_read
from geo.services.errors import HANDLED, classify, describe, error_body
from webmap.reports.gather import gather
from webmap.reports.render import CONTENT_TYPES, FORMATS
from webmap.reports.render import render as render_report


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


@require_GET
@login_required
@permission_required("geo.view_community", raise_exception=True)
def export(request: HttpRequest) -> HttpResponse:
    """The coverage report of a scope as a download (xlsx, pdf, html or json)."""
    fmt = request.GET.get("format", "xlsx")
    profile_name = request.GET.get("profile") or None
    try:
        if fmt not in FORMATS:
            raise ValueError(_("format 应为 %(formats)s 之一") % {"formats": ", ".join(FORMATS)})
        # Only built-in profiles by name: a path would let a request read server files.
        if profile_name is not None and profile_name not in available_profiles():
            raise ValueError(_("profile 应为 %(names)s 之一，不是 %(name)r") % {
                "names": ", ".join(available_profiles()), "name": profile_name})
        profile = load_profile(profile_name)
        reach = request.GET.get("reach")
        try:
            reaches = parse_reaches(reach) if reach else list(profile.walk_reach_m)
        except ValueError as exc:
            raise ValueError(f"reach: {describe(exc)}") from exc
        doc = gather(scope_for_read(request.user, request.GET.get("scope") or ""), profile,
                     reaches)
        data = render_report(doc, fmt)
    except HANDLED as exc:
        code, status = classify(exc)
        return JsonResponse(error_body(code, describe(exc)), status=status)
    code = doc.meta["scope"]["code"] or "all"
    name = f"coverage-{code}-{doc.meta['generated_at'][:10]}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
