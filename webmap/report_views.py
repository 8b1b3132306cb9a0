"""Staff pages (/reports/): the scope's map and tables, and the pairing optimiser's review."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from geo.analysis.coverage import parse_reaches
from geo.analysis.pairing import PairingResult
from geo.analysis.rules import available_profiles, load_profile
from geo.models import District, Street
from geo.models.audit import acting_as
from geo.models.scope import check_scope
from geo.services.access import own_scope, require_in_scope, scope_for_read
from geo.services.errors import HANDLED
from geo.services.pairing import PairingInputs, build_problem, propose, replace_proposals
from geo.signals import announce
from webmap.reports.gather import gather
from webmap.reports.render import CONTENT_TYPES, FORMATS
from webmap.reports.render import render as render_report

from .plan_views import domain_error, error


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
            raise ValueError(f"format 应为 {'、'.join(FORMATS)} must be one of "
                             f"{', '.join(FORMATS)}")
        # Only built-in profiles by name: a path would let a request read server files.
        if profile_name is not None and profile_name not in available_profiles():
            raise ValueError(f"profile 应为 {'、'.join(available_profiles())} 之一 "
                             f"unknown profile {profile_name!r}")
        profile = load_profile(profile_name)
        reach = request.GET.get("reach")
        reaches = parse_reaches(reach) if reach else list(profile.walk_reach_m)
        doc = gather(scope_for_read(request.user, request.GET.get("scope") or ""), profile,
                     reaches)
        data = render_report(doc, fmt)
    except HANDLED as exc:
        return domain_error(exc)
    code = doc.meta["scope"]["code"] or "all"
    name = f"coverage-{code}-{doc.meta['generated_at'][:10]}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _proposal(scope: str, metric: str
              ) -> tuple[PairingInputs, PairingResult, dict[str, Any]]:
    profile = load_profile(None)
    inputs = build_problem(scope, metric, profile, None, "auto", None)
    result, out = propose(inputs, profile)
    # What the reviewer saw: a save recomputes and must arrive at the same pairs.
    digest = hashlib.sha256(json.dumps(
        [(p["unit_id"], p["community_code"], p["distance_m"]) for p in out["pairings"]]
    ).encode()).hexdigest()[:16]
    out.update({"scope": scope, "fingerprint": digest})
    return inputs, result, out


def _params(data: Any) -> tuple[str, str]:
    metric = data.get("metric", "walk")
    if metric not in ("walk", "straight"):
        raise ValueError("metric 应为 walk 或 straight must be walk or straight")
    return check_scope(data.get("scope") or ""), metric


@require_GET
@login_required
@permission_required("geo.view_pairing", raise_exception=True)
def pairing(request: HttpRequest) -> JsonResponse:
    """The optimal pairing of the scope with lines to draw (nothing saved)."""
    try:
        scope, metric = _params(request.GET)
        return JsonResponse(_proposal(scope_for_read(request.user, scope), metric)[2])
    except HANDLED as exc:
        return domain_error(exc)


@require_POST
@login_required
@permission_required("geo.add_pairing", raise_exception=True)
def save_pairing(request: HttpRequest) -> JsonResponse:
    """Store the reviewed proposal; 409 when the data changed since it was reviewed."""
    try:
        body = json.loads(request.body or b"{}")
        scope, metric = _params(body)
        # A write names its scope and must lie inside the user's: never narrowed silently.
        require_in_scope(request.user, scope, "结对范围 pairing scope")
        inputs, result, out = _proposal(scope, metric)
    except AttributeError as exc:  # a JSON body that is not an object
        return error("invalid_parameter", str(exc), 400)
    except HANDLED as exc:  # an infeasible pairing is 422 here too, as in the API
        return domain_error(exc)
    if body.get("fingerprint") != out["fingerprint"]:
        return error("conflict", "数据已变化，请重新计算后再保存 the data changed since this "
                     "proposal was computed; run it again and review it", 409,
                     fingerprint=out["fingerprint"])
    with acting_as(request.user):
        saved = replace_proposals(inputs, result)
    announce("pairings")
    return JsonResponse({"saved": saved, "fingerprint": out["fingerprint"]})
