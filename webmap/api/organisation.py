"""Staffing of a year (posts, social workers, funds, street party staff) and leaders' 挂点
links: read inside the scope, written with a version check (409 when someone saved first)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.models import Community, CommunityStaffing, Leader, LeaderLink, Street, StreetStaffing
from geo.models.audit import acting_as
from geo.models.base import StaleVersion
from geo.services.access import require_in_scope, require_perm, scope_filter, scope_of
from geo.services.leaders import community_leaders, leader_json, link_json
from geo.services.staffing import run_staffing

from . import schemas as sch
from .errors import ApiError, stale
from .params import ScopedParams, parse
from .permissions import StaffInScope

COMMUNITY_YEAR = sch.obj({"community": sch.STR, "year": sch.INT, "posts": sch.INT,
                          "social_workers": sch.INT, "funds_yuan": sch.NUM, "version": sch.INT})
STREET_YEAR = sch.obj({"street": sch.STR, "year": sch.INT, "party_staff": sch.INT,
                       "version": sch.INT})
STAFFING = sch.obj({"scope": sch.nullable(sch.STR), "year": sch.INT, "rules": sch.OBJ,
                    "summary": sch.OBJ, "communities": sch.arr(sch.OBJ),
                    "streets": sch.arr(sch.OBJ)})
LINK = sch.obj({"id": sch.INT, "leader": sch.OBJ, "community": sch.STR, "since": sch.STR,
                "until": sch.nullable(sch.STR), "note": sch.STR, "version": sch.INT})


class YearParams(ScopedParams):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="calendar year (default: this year)")


class Staffing(APIView):
    """设岗定责、社工、经费 each community's and street's figures of a year, checked."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_communitystaffing"

    @extend_schema(parameters=[YearParams], responses={200: sch.response(
        STAFFING, "figures and shortfalls per community and street")})
    def get(self, request: Request) -> Response:
        p = parse(YearParams, request.query_params, request.user)
        return Response(run_staffing(p["scope"], p.get("year") or timezone.localdate().year,
                                     p["profile"]))


class CommunityFigures(serializers.Serializer):
    posts = serializers.IntegerField(min_value=0, max_value=200)
    social_workers = serializers.IntegerField(min_value=0, max_value=500)
    funds_yuan = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="the version read; required to change a year")


class StreetFigures(serializers.Serializer):
    party_staff = serializers.IntegerField(min_value=0, max_value=500)
    version = serializers.IntegerField(required=False, min_value=1)


def _year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year:
        raise ApiError("invalid_parameter", _("年度须在 2000 年与今年之间"), "year")
    return year


def _save_year(model: Any, fk: str, owner: Any, year: int, values: dict[str, Any],
               version: int | None) -> tuple[Any, bool]:
    """Create the year's row, or change it when ``version`` is the stored one."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**{fk: owner}, year=year).first()
        if row is None:
            return model.objects.create(**{fk: owner}, year=year, **values), True
        if version != row.version:
            raise StaleVersion(row.version, version)
        for k, v in values.items():
            setattr(row, k, v)
        row.version += 1
        row.save()
        return row, False


class CommunityStaffingView(APIView):
    """Report a community's posts, social workers and funds of a year (PUT)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.add_communitystaffing"

    @extend_schema(request=CommunityFigures, responses={
        201: sch.response(COMMUNITY_YEAR, "created"),
        200: sch.response(COMMUNITY_YEAR, "changed"),
        409: sch.response(sch.ERROR, "changed since read")})
    def put(self, request: Request, code: str, year: int) -> Response:
        require_perm(request.user, "geo.change_communitystaffing")
        p = parse(CommunityFigures, request.data)
        require_in_scope(request.user, code, _("社区"))
        comm = Community.objects.filter(code=code).first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {"code": code},
                           status_code=status.HTTP_404_NOT_FOUND)
        values = {k: p[k] for k in ("posts", "social_workers", "funds_yuan")}
        try:
            with acting_as(request.user):
                row, made = _save_year(CommunityStaffing, "community", comm, _year(year),
                                       values, p.get("version"))
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response({"community": code, "year": row.year, "posts": row.posts,
                         "social_workers": row.social_workers,
                         "funds_yuan": float(row.funds_yuan), "version": row.version},
                        status=status.HTTP_201_CREATED if made else status.HTTP_200_OK)


class StreetStaffingView(APIView):
    """Report a street office's party staff of a year (PUT)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.add_streetstaffing"

    @extend_schema(request=StreetFigures, responses={
        201: sch.response(STREET_YEAR, "created"), 200: sch.response(STREET_YEAR, "changed"),
        409: sch.response(sch.ERROR, "changed since read")})
    def put(self, request: Request, code: str, year: int) -> Response:
        require_perm(request.user, "geo.change_streetstaffing")
        p = parse(StreetFigures, request.data)
        require_in_scope(request.user, code, _("街道"))
        street = Street.objects.filter(code=code).first()
        if street is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的街道") % {"code": code},
                           status_code=status.HTTP_404_NOT_FOUND)
        try:
            with acting_as(request.user):
                row, made = _save_year(StreetStaffing, "street", street, _year(year),
                                       {"party_staff": p["party_staff"]}, p.get("version"))
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response({"street": code, "year": row.year, "party_staff": row.party_staff,
                         "version": row.version},
                        status=status.HTTP_201_CREATED if made else status.HTTP_200_OK)


class LeadersParams(ScopedParams):
    on = serializers.DateField(required=False, help_text="the day (default: today)")


class Leaders(APIView):
    """挂点领导 the leaders of a scope and the links in force on a day, per community."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_leaderlink"

    @extend_schema(parameters=[LeadersParams], responses={200: sch.response(sch.obj({
        "scope": sch.nullable(sch.STR), "on": sch.STR, "leaders": sch.arr(sch.OBJ),
        "communities": sch.OBJ}), "leaders and their links per community code")})
    def get(self, request: Request) -> Response:
        p = parse(LeadersParams, request.query_params, request.user)
        day = p.get("on") or timezone.localdate()
        scope = p["scope"]
        leaders = (Leader.objects.filter(scope_filter(Leader, scope[:9]))
                   .select_related("district", "street").order_by("level", "name")
                   if len(scope) <= 9 else Leader.objects.filter(
                       links__community__code=scope).distinct().select_related(
                       "district", "street"))
        return Response({"scope": scope or None, "on": day.isoformat(),
                         "leaders": [leader_json(x) for x in leaders],
                         "communities": community_leaders(scope, day)})


class NewLeader(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    position = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=["district", "street"])
    district = serializers.RegexField(r"^[0-9]{6}$")
    street = serializers.RegexField(r"^[0-9]{9}$", required=False, allow_blank=True)


class LinkBody(serializers.Serializer):
    leader = serializers.IntegerField(required=False, min_value=1, help_text="a stored leader")
    new_leader = NewLeader(required=False, help_text="or a leader to create")
    community = serializers.RegexField(r"^[0-9]{12}$")
    since = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("leader" in attrs) == ("new_leader" in attrs):
            raise serializers.ValidationError({"leader": _("请给出 leader 或 new_leader 之一")})
        if attrs["since"] > timezone.localdate():
            raise serializers.ValidationError({"since": _("开始日期不能晚于今天")})
        return attrs


def _leader(user: Any, p: dict[str, Any], community: Community) -> Leader:
    if "leader" in p:
        leader = Leader.objects.filter(scope_filter(Leader, scope_of(user) or "")).filter(
            pk=p["leader"]).select_related("street").first()
        if leader is None:
            raise ApiError("not_found", _("没有此领导"), "leader",
                           status_code=status.HTTP_404_NOT_FOUND)
        return leader
    n = p["new_leader"]
    district = community.street.district
    if n["district"] != district.code:
        raise ApiError("invalid_parameter", _("社区不在该领导所在的区县或街道内"),
                       "new_leader.district")
    street = Street.objects.filter(code=n.get("street") or "").first()
    leader = Leader(name=n["name"], position=n["position"], level=n["level"],
                    district=district, street=street if n["level"] == "street" else None)
    leader.full_clean()
    leader.save()
    return leader


class LeaderLinks(APIView):
    """Link a leader (stored or new) to a community from a day (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.add_leaderlink"

    @extend_schema(request=LinkBody, responses={201: sch.response(LINK, "linked"),
                                                200: sch.response(LINK, "already linked")})
    def post(self, request: Request) -> Response:
        p = parse(LinkBody, request.data)
        require_in_scope(request.user, p["community"], _("社区"))
        comm = Community.objects.filter(code=p["community"]).select_related(
            "street__district").first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {
                "code": p["community"]}, "community", status_code=status.HTTP_404_NOT_FOUND)
        with transaction.atomic(), acting_as(request.user):
            leader = _leader(request.user, p, comm)
            before = LeaderLink.objects.filter(leader=leader, community=comm,
                                               until__isnull=True).exists()
            link = LeaderLink.open_link(leader, comm, p["since"], p["note"])
        return Response(link_json(link),
                        status=status.HTTP_200_OK if before else status.HTTP_201_CREATED)


class CloseBody(serializers.Serializer):
    until = serializers.DateField()
    version = serializers.IntegerField(min_value=1)


class CloseLink(APIView):
    """End a link on a day; it stays in the history (POST). 409 when changed since read."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_leaderlink"

    @extend_schema(request=CloseBody, responses={200: sch.response(LINK, "ended"),
                                                 409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        p = parse(CloseBody, request.data)
        link = (LeaderLink.objects.filter(scope_filter(LeaderLink, scope_of(request.user) or ""))
                .select_related("leader", "leader__district", "leader__street",
                                "community__street").filter(pk=pk).first())
        if link is None:
            raise ApiError("not_found", _("没有此挂点联系"), status_code=status.HTTP_404_NOT_FOUND)
        require_in_scope(request.user, link.community.code, _("社区"))
        if link.until is not None:
            raise ApiError("conflict", _("此挂点联系已于 %(until)s 结束") % {
                "until": link.until.isoformat()}, status_code=status.HTTP_409_CONFLICT,
                extra={"version": link.version})
        if p["until"] < link.since:
            raise ApiError("invalid_parameter", _("结束日期不能早于开始日期"), "until")
        try:
            with acting_as(request.user):
                link.close(p["until"], p["version"])
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response(link_json(link))
