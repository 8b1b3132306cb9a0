"""三张清单: communities' needs, units' resources, the optimal matching of the two, and the
projects it proposes, reviewed into agreed and done (409 when a row changed since read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.models import (
    CoBuildingUnit,
    Community,
    ListKind,
    Need,
    NeedStatus,
    Project,
    ProjectStatus,
    Resource,
)
from geo.models.audit import acting_as
from geo.models.base import SRID, StaleVersion
from geo.services.access import (
    require_in_scope,
    require_perm,
    scope_filter,
    scope_of,
    unit_code,
)
from geo.services.lists import (
    build_matching,
    community_anchor,
    describe,
    held_quantities,
    need_json,
    no_rows_message,
    project_json,
    replace_proposals,
    resource_json,
)

from . import schemas as sch
from .errors import ApiError, stale
from .organisation import YearParams
from .params import parse
from .permissions import StaffInScope

NEED = sch.obj({"id": sch.INT, "community": sch.STR, "year": sch.INT, "kind": sch.STR,
                "title": sch.STR, "quantity": sch.INT, "held": sch.INT, "status": sch.STR,
                "version": sch.INT})
RESOURCE = sch.obj({"id": sch.INT, "unit": sch.STR, "kind": sch.STR, "title": sch.STR,
                    "capacity": sch.INT, "taken": sch.INT, "available_from": sch.STR,
                    "available_until": sch.STR, "active": sch.BOOL, "version": sch.INT})
PROJECT = sch.obj({"id": sch.INT, "need_id": sch.INT, "resource_id": sch.INT,
                   "quantity": sch.INT, "distance_m": sch.nullable(sch.NUM),
                   "status": sch.STR, "version": sch.INT})
MATCHING = sch.obj({"year": sch.INT, "metric": sch.STR, "summary": sch.OBJ, "greedy": sch.OBJ,
                    "proposals": sch.arr(sch.OBJ), "unmet": sch.arr(sch.STR),
                    "fingerprint": sch.STR, "saved": sch.nullable(sch.INT)})


def _year(p: dict[str, Any]) -> int:
    return int(p.get("year") or timezone.localdate().year)


def _bad(exc: ValidationError) -> ApiError:
    return ApiError(exc.code or "invalid", exc.messages[0])


class NewNeed(serializers.Serializer):
    community = serializers.RegexField(r"^[0-9]{12}$")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=ListKind.values)
    title = serializers.CharField(max_length=100)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   default="")
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lon" in attrs) != ("lat" in attrs):
            raise serializers.ValidationError({"lat" if "lon" in attrs else "lon": _(
                "经度和纬度要么都填，要么都空")})
        return attrs


class Needs(APIView):
    """需求清单 a scope's needs of a year (GET), or list one for a community (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_need"

    @extend_schema(parameters=[YearParams], responses={200: sch.response(
        sch.obj({"year": sch.INT, "needs": sch.arr(NEED)}), "the year's needs")})
    def get(self, request: Request) -> Response:
        p = parse(YearParams, request.query_params, request.user)
        rows = list(Need.objects.filter(community__code__startswith=p["scope"],
                                        year=_year(p)).select_related("community")[:2000])
        held, _r = held_quantities([n.pk for n in rows], [])
        return Response({"year": _year(p), "needs": [need_json(n, held.get(n.pk, 0))
                                                     for n in rows]})

    @extend_schema(request=NewNeed, responses={201: sch.response(NEED, "listed")})
    def post(self, request: Request) -> Response:
        require_perm(request.user, "geo.add_need")
        p = parse(NewNeed, request.data)
        require_in_scope(request.user, p["community"], _("社区"))
        comm = Community.objects.filter(code=p["community"]).first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {
                "code": p["community"]}, "community", status_code=status.HTTP_404_NOT_FOUND)
        if p.get("lon") is not None and p.get("lat") is not None:
            at = Point(p["lon"], p["lat"], srid=SRID)
            if not comm.geom.buffer(0.0005).covers(at):  # ~50 m of slack along the boundary
                raise ApiError("outside_community", _("需求的位置不在%(name)s内") % {
                    "name": comm.name}, "lon")
        else:
            at = community_anchor(comm)
        with acting_as(request.user):
            n = Need.objects.create(community=comm, year=p["year"], kind=p["kind"],
                                    title=p["title"], detail=p["detail"],
                                    quantity=p["quantity"], location=at,
                                    posted_on=timezone.localdate())
        return Response(need_json(n), status=status.HTTP_201_CREATED)


class VersionBody(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class NeedClose(APIView):
    """Close a need that is no longer wanted (POST); its proposals go with it."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_need"

    @extend_schema(request=VersionBody, responses={200: sch.response(NEED, "closed"),
                                                   409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        n = Need.objects.filter(scope_filter(Need, scope_of(request.user) or ""),
                                pk=pk).select_related("community").first()
        if n is None:
            raise ApiError("not_found", _("没有此需求"), status_code=404)
        require_in_scope(request.user, n.community.code, _("社区"))
        p = parse(VersionBody, request.data)
        n.status = NeedStatus.CLOSED
        try:
            with acting_as(request.user):
                n.save_if_current(p["version"])
                for proj in n.projects.filter(status=ProjectStatus.PROPOSED):
                    proj.delete()
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response(need_json(n))


class NewResource(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ListKind.values)
    title = serializers.CharField(max_length=100)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   default="")
    capacity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    available_from = serializers.DateField()
    available_until = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["available_until"] < attrs["available_from"]:
            raise serializers.ValidationError({"available_until": _("截止日期早于起始日期")})
        return attrs


class Resources(APIView):
    """资源清单 resources of the units in or paired with a scope (GET), or list one (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_resource"

    @extend_schema(parameters=[YearParams], responses={200: sch.response(
        sch.obj({"year": sch.INT, "resources": sch.arr(RESOURCE)}),
        "resources whose period overlaps the year")})
    def get(self, request: Request) -> Response:
        p = parse(YearParams, request.query_params, request.user)
        year = _year(p)
        rows = list(Resource.objects.filter(
            scope_filter(Resource, p["scope"]) | _paired_with(p["scope"]),
            available_from__lte=dt.date(year, 12, 31),
            available_until__gte=dt.date(year, 1, 1)).select_related("unit").distinct()[:2000])
        _n, taken = held_quantities([], [r.pk for r in rows])
        return Response({"year": year, "resources": [resource_json(r, taken.get(r.pk, 0))
                                                     for r in rows]})

    @extend_schema(request=NewResource, responses={201: sch.response(RESOURCE, "listed")})
    def post(self, request: Request) -> Response:
        require_perm(request.user, "geo.add_resource")
        p = parse(NewResource, request.data)
        unit = CoBuildingUnit.objects.filter(pk=p["unit"], candidate=False).first()
        if unit is None:
            raise ApiError("not_found", _("没有此共建单位"), "unit", status_code=404)
        require_in_scope(request.user, unit_code(unit), _("共建单位"))
        with acting_as(request.user):
            r = Resource.objects.create(unit=unit, kind=p["kind"], title=p["title"],
                                        detail=p["detail"], capacity=p["capacity"],
                                        available_from=p["available_from"],
                                        available_until=p["available_until"])
        return Response(resource_json(r), status=status.HTTP_201_CREATED)


def _paired_with(scope: str) -> Any:
    from django.db.models import Q

    if not scope:
        return Q()
    return Q(unit__pairings__community__code__startswith=scope,
             unit__pairings__status__in=("confirmed", "signed"))


class ResourceWithdraw(APIView):
    """Withdraw a resource the unit no longer offers (POST); its proposals go with it."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_resource"

    @extend_schema(request=VersionBody, responses={200: sch.response(RESOURCE, "withdrawn"),
                                                   409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        r = Resource.objects.filter(pk=pk).select_related("unit").first()
        if r is None:
            raise ApiError("not_found", _("没有此资源"), status_code=404)
        require_in_scope(request.user, unit_code(r.unit), _("共建单位"))
        p = parse(VersionBody, request.data)
        r.active = False
        try:
            with acting_as(request.user):
                r.save_if_current(p["version"])
                for proj in r.projects.filter(status=ProjectStatus.PROPOSED):
                    proj.delete()
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response(resource_json(r))


class MatchBody(YearParams):
    commit = serializers.BooleanField(default=False, help_text="store the proposals")
    fingerprint = serializers.RegexField(r"^[0-9a-f]{16}$", required=False,
                                         help_text="the proposal's fingerprint, as reviewed")


class Match(APIView):
    """需求资源匹配 the optimal matching of the year's open needs to resources, beside the
    greedy baseline (POST); with ``commit`` the reviewed proposals become projects to review."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_project"

    @extend_schema(request=MatchBody, responses={
        200: sch.response(MATCHING, "the proposals, what they meet and what stays unmet"),
        409: sch.response(sch.PAIRING_STALE, "the data changed: compute and review again")})
    def post(self, request: Request) -> Response:
        p = parse(MatchBody, request.data, request.user)
        if p["commit"]:
            require_perm(request.user, "geo.add_project")
        inputs = build_matching(p["scope"], _year(p), p["profile"])
        result = inputs.problem.solve()
        out = describe(inputs, result)
        out["empty"] = no_rows_message(inputs)
        out["saved"] = None
        if p["commit"]:
            if p.get("fingerprint") != out["fingerprint"]:
                raise ApiError("conflict", _("数据已变化，请重新计算并核对后再保存"),
                               status_code=409, extra={"fingerprint": out["fingerprint"]})
            with acting_as(request.user):
                out["saved"] = replace_proposals(inputs, result)
        return Response(out)


class ProjectParams(YearParams):
    status = serializers.ChoiceField(choices=ProjectStatus.values, required=False,
                                     allow_blank=True, default="",
                                     help_text="only projects of this status (empty: all)")


class Projects(APIView):
    """项目清单 a scope's projects of a year with their needs and resources."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_project"

    @extend_schema(parameters=[ProjectParams], responses={200: sch.response(
        sch.obj({"year": sch.INT, "projects": sch.arr(PROJECT)}), "the year's projects")})
    def get(self, request: Request) -> Response:
        p = parse(ProjectParams, request.query_params, request.user)
        rows = Project.objects.filter(need__community__code__startswith=p["scope"],
                                      need__year=_year(p)).select_related(
            "need__community", "resource__unit")
        if p["status"]:
            rows = rows.filter(status=p["status"])
        return Response({"year": _year(p), "projects": [project_json(x) for x in rows[:2000]]})


class ProjectAdvanceBody(serializers.Serializer):
    to = serializers.ChoiceField(choices=[ProjectStatus.AGREED, ProjectStatus.DONE,
                                          ProjectStatus.REJECTED])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 default="")
    version = serializers.IntegerField(min_value=1)


class ProjectAdvance(APIView):
    """Agree, reject or finish a project (POST); 409 when it changed since read."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_project"

    @extend_schema(request=ProjectAdvanceBody, responses={200: sch.response(PROJECT, "moved"),
                                                   409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        x = Project.objects.filter(pk=pk).select_related("need__community",
                                                         "resource__unit").first()
        if x is None:
            raise ApiError("not_found", _("没有此项目"), status_code=404)
        require_in_scope(request.user, x.need.community.code, _("社区"))
        p = parse(ProjectAdvanceBody, request.data)
        try:
            with acting_as(request.user):
                x.advance(p["to"], p["note"], timezone.localdate(), p["version"])
        except StaleVersion as exc:
            raise stale(exc) from exc
        except ValidationError as exc:
            raise _bad(exc) from exc
        return Response(project_json(x))
