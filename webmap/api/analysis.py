"""Analysis endpoints: the same service functions the management commands call."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.pairing import PairingResult
from geo.models.audit import acting_as
from geo.services.access import require_in_scope
from geo.services.coverage import run_coverage
from geo.services.nearest import nearest_centers
from geo.services.pairing import (
    PairingInputs,
    build_problem,
    fingerprint,
    propose,
    replace_proposals,
)
from geo.services.results import PairingAnswer
from geo.services.rules import run_facility, run_grid_checks, run_members
from geo.services.search import search_places
from geo.signals import announce

from . import schemas as sch
from .errors import ApiError
from .params import (
    CoverageParams,
    NearestParams,
    PairingParams,
    PairingSaveBody,
    ScopedParams,
    SearchParams,
    parse,
)
from .permissions import StaffInScope


class StaffView(APIView):
    """An analysis of staff data: login, a role and a scope that covers the request."""

    permission_classes = (StaffInScope,)


class NearestCenters(APIView):
    """最近的党群服务中心 the k nearest service centers by walking or straight distance."""

    @extend_schema(parameters=[NearestParams],
                   responses={200: sch.response(
                       sch.NEAREST, "the nearest centers with distances and routes")})
    def get(self, request: Request) -> Response:
        p = parse(NearestParams, request.query_params)
        return Response(nearest_centers(p["lon"], p["lat"], p["k"], p["by"], p["crs"],
                                        p["profile"]))


class Coverage(StaffView):
    """步行覆盖率 household share within each walking reach of a licensed center."""

    @extend_schema(parameters=[CoverageParams],
                   responses={200: sch.response(
                       sch.COVERAGE, "shares of households within each reach, per level")})
    def get(self, request: Request) -> Response:
        p = parse(CoverageParams, request.query_params, request.user)
        reaches = p["reach"] or list(p["profile"].walk_reach_m)
        return Response(run_coverage(p["scope"], reaches, p["profile"], polygons=p["areas"]))


def _proposal(p: dict[str, Any]) -> tuple[PairingInputs, PairingResult, PairingAnswer]:
    inputs = build_problem(p["scope"], p["metric"], p["profile"], p["max_per_community"],
                           p["min_per_community"], p["max_distance"])
    result, out = propose(inputs, p["profile"])
    out.update({"scope": p["scope"], "fingerprint": fingerprint(out)})
    return inputs, result, out


class PairingProposal(StaffView):
    """结对共建 the optimal pairing with the greedy baseline (a proposal; nothing saved)."""

    required_perm = "geo.view_pairing"

    @extend_schema(parameters=[PairingParams],
                   responses={200: sch.response(
                       sch.PAIRING, "the optimal pairing, with the greedy baseline")})
    def get(self, request: Request) -> Response:
        return Response(_proposal(parse(PairingParams, request.query_params, request.user))[2])


class PairingSave(StaffView):
    """保存结对建议 store the reviewed proposal; 409 when the data changed since the review."""

    required_perm = "geo.add_pairing"

    @extend_schema(request=PairingSaveBody, responses={
        200: sch.response(sch.PAIRING_SAVED, "how many proposals were stored"),
        409: sch.response(sch.PAIRING_STALE, "the data changed: compute and review again")})
    def post(self, request: Request) -> Response:
        p = parse(PairingSaveBody, request.data)
        # A write names its scope and must lie inside the user's: never narrowed silently.
        require_in_scope(request.user, p["scope"], _("结对范围"))
        inputs, result, out = _proposal(p)
        if p["fingerprint"] != out["fingerprint"]:
            raise ApiError("conflict", _("数据已变化，请重新计算并核对后再保存"),
                           status_code=409, extra={"fingerprint": out["fingerprint"]})
        with acting_as(request.user):
            saved = replace_proposals(inputs, result)
        announce("pairings")
        return Response({"saved": saved, "fingerprint": out["fingerprint"]})


class ReportingMembers(StaffView):
    """在职党员报到 members per community against the cap (counts only, no personal data)."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.MEMBERS, "members per community against the cap")})
    def get(self, request: Request) -> Response:
        p = parse(ScopedParams, request.query_params, request.user)
        return Response(run_members(p["scope"], p["profile"]))


class FacilityRatio(StaffView):
    """每百户面积 facility floor area per 100 households against the rule profile."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.FACILITY, "floor area per 100 households per community and center")})
    def get(self, request: Request) -> Response:
        p = parse(ScopedParams, request.query_params, request.user)
        return Response(run_facility(p["scope"], p["profile"]))


class GridChecks(StaffView):
    """网格检查 every grid rule; findings with their polygons."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.GRID_CHECKS, "findings of every grid rule")})
    def get(self, request: Request) -> Response:
        p = parse(ScopedParams, request.query_params, request.user)
        return Response(run_grid_checks(p["scope"], p["profile"]))


class PlaceSearch(APIView):
    """按名称查找小区、社区、服务中心 find compounds, communities and centers by name."""

    @extend_schema(parameters=[SearchParams],
                   responses={200: sch.response(
                       sch.SEARCH, "places whose names match")})
    def get(self, request: Request) -> Response:
        p = parse(SearchParams, request.query_params)
        return Response({"query": p["q"], "results": search_places(p["q"], p["limit"])})
