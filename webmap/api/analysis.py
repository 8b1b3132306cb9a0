"""Analysis endpoints: the same service functions the management commands call."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.network import NetworkError
from geo.analysis.pairing import PairingInfeasible
from geo.services.access import scope_for_read
from geo.services.coverage import run_coverage
from geo.services.nearest import nearest_centers
from geo.services.pairing import build_problem, propose
from geo.services.rules import run_facility, run_grid_checks, run_members
from geo.services.search import search_places

from . import schemas as sch
from .errors import ApiError
from .params import CoverageParams, NearestParams, PairingParams, ScopedParams, SearchParams
from .permissions import StaffInScope


def _params(serializer_class: type, request: Request) -> dict[str, Any]:
    ser = serializer_class(data=request.query_params)
    ser.is_valid(raise_exception=True)
    out = dict(ser.validated_data)
    if "scope" in out:
        # Staff read inside their scope: no scope means theirs, a wider one is a 403.
        out["scope"] = scope_for_read(request.user, out["scope"])
    return out


class StaffView(APIView):
    """An analysis of staff data: login, a role and a scope that covers the request."""

    permission_classes = (StaffInScope,)


def _no_network(exc: NetworkError) -> ApiError:
    return ApiError("no_network", str(exc), status_code=409)


class NearestCenters(APIView):
    """最近的党群服务中心 the k nearest service centers by walking or straight distance."""

    @extend_schema(parameters=[NearestParams],
                   responses={200: sch.response(
                       sch.NEAREST, "the nearest centers with distances and routes")})
    def get(self, request: Request) -> Response:
        p = _params(NearestParams, request)
        try:
            return Response(nearest_centers(p["lon"], p["lat"], p["k"], p["by"], p["crs"],
                                            p["profile"]))
        except NetworkError as exc:
            raise _no_network(exc) from exc


class Coverage(StaffView):
    """步行覆盖率 household share within each walking reach of a licensed center."""

    @extend_schema(parameters=[CoverageParams],
                   responses={200: sch.response(
                       sch.COVERAGE, "shares of households within each reach, per level")})
    def get(self, request: Request) -> Response:
        p = _params(CoverageParams, request)
        reaches = p["reach"] or list(p["profile"].walk_reach_m)
        try:
            return Response(run_coverage(p["scope"], reaches, p["profile"],
                                         polygons=p["areas"]))
        except NetworkError as exc:
            raise _no_network(exc) from exc


class PairingProposal(StaffView):
    """结对共建 the optimal pairing with the greedy baseline (a proposal; nothing saved)."""

    @extend_schema(parameters=[PairingParams],
                   responses={200: sch.response(
                       sch.PAIRING, "the optimal pairing, with the greedy baseline")})
    def get(self, request: Request) -> Response:
        p = _params(PairingParams, request)
        try:
            inputs = build_problem(p["scope"], p["metric"], p["profile"],
                                   p["max_per_community"], p["min_per_community"],
                                   p["max_distance"])
            out = propose(inputs, p["profile"])[1]
        except PairingInfeasible as exc:
            raise ApiError("infeasible", "; ".join(exc.reasons), status_code=422) from exc
        except NetworkError as exc:
            raise _no_network(exc) from exc
        except ValueError as exc:
            raise ApiError("no_data", str(exc), "scope", status_code=422) from exc
        return Response(out)


class ReportingMembers(StaffView):
    """在职党员报到 members per community against the cap (counts only, no personal data)."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.MEMBERS, "members per community against the cap")})
    def get(self, request: Request) -> Response:
        p = _params(ScopedParams, request)
        return Response(run_members(p["scope"], p["profile"]))


class FacilityRatio(StaffView):
    """每百户面积 facility floor area per 100 households against the rule profile."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.FACILITY, "floor area per 100 households per community and center")})
    def get(self, request: Request) -> Response:
        p = _params(ScopedParams, request)
        return Response(run_facility(p["scope"], p["profile"]))


class GridChecks(StaffView):
    """网格检查 every grid rule; findings with their polygons."""

    @extend_schema(parameters=[ScopedParams],
                   responses={200: sch.response(
                       sch.GRID_CHECKS, "findings of every grid rule")})
    def get(self, request: Request) -> Response:
        p = _params(ScopedParams, request)
        return Response(run_grid_checks(p["scope"], p["profile"]))


class PlaceSearch(APIView):
    """按名称查找小区、社区、服务中心 find compounds, communities and centers by name."""

    @extend_schema(parameters=[SearchParams],
                   responses={200: sch.response(
                       sch.SEARCH, "places whose names match")})
    def get(self, request: Request) -> Response:
        p = _params(SearchParams, request)
        return Response({"query": p["q"], "results": search_places(p["q"], p["limit"])})
