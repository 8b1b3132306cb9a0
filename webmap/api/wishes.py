"""Micro-wishes: the public board near a place (masked, placed roughly), and staff posting,
claiming (a member's claim counts for their 五个一), fulfilling and withdrawing them."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.models import CoBuildingUnit, Community, ReportingMember, Wish, WishCategory
from geo.models.audit import acting_as
from geo.models.base import SRID, StaleVersion
from geo.roles import PERSONAL_DATA
from geo.services.access import require_in_scope, require_perm, scope_filter, scope_of
from geo.services.wishes import nearby_open, suggest_claimants, wish_json

from . import schemas as sch
from .errors import ApiError, stale
from .params import ScopedParams, parse
from .permissions import StaffInScope

PUBLIC_WISH = sch.obj({"id": sch.INT, "category": sch.STR, "text": sch.STR, "person": sch.STR,
                       "lon": sch.NUM, "lat": sch.NUM, "posted_on": sch.STR,
                       "community": sch.STR, "distance_m": sch.NUM})
WISH = sch.obj({"id": sch.INT, "community": sch.STR, "category": sch.STR, "text": sch.STR,
                "person": sch.STR, "status": sch.STR, "version": sch.INT})


class NearbyParams(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    radius = serializers.IntegerField(required=False, min_value=100, max_value=10_000,
                                      default=3_000, help_text="metres")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=30)


class NearbyWishes(APIView):
    """微心愿墙 open wishes near a place, for anyone: names masked, places to ~100 m."""

    permission_classes = (AllowAny,)

    @extend_schema(parameters=[NearbyParams], responses={200: sch.response(
        sch.obj({"wishes": sch.arr(PUBLIC_WISH)}), "open wishes, nearest first")})
    def get(self, request: Request) -> Response:
        p = parse(NearbyParams, request.query_params)
        labels = dict(WishCategory.choices)
        rows = nearby_open(p["lon"], p["lat"], p["radius"], p["limit"])
        for r in rows:
            r["category_label"] = str(labels[r["category"]])
        return Response({"wishes": rows})


class ListParams(ScopedParams):
    status = serializers.ChoiceField(choices=["open", "claimed", "fulfilled", "cancelled"],
                                     required=False, allow_blank=True, default="",
                                     help_text="only wishes of this status (empty: all)")


class NewWish(serializers.Serializer):
    community = serializers.RegexField(r"^[0-9]{12}$")
    category = serializers.ChoiceField(choices=WishCategory.values)
    text = serializers.CharField(max_length=300)
    person = serializers.CharField(max_length=50)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


def _unmasked(user: Any) -> bool:
    return bool(user.has_perm(PERSONAL_DATA))


class Wishes(APIView):
    """A scope's wishes (GET), or post one for a resident (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_wish"

    @extend_schema(parameters=[ListParams], responses={200: sch.response(
        sch.obj({"wishes": sch.arr(WISH)}), "the scope's wishes, newest first")})
    def get(self, request: Request) -> Response:
        p = parse(ListParams, request.query_params, request.user)
        rows = Wish.objects.filter(community__code__startswith=p["scope"]).select_related(
            "community", "unit")
        if p["status"]:
            rows = rows.filter(status=p["status"])
        unmasked = _unmasked(request.user)
        return Response({"wishes": [wish_json(w, unmasked) for w in rows[:1000]]})

    @extend_schema(request=NewWish, responses={201: sch.response(WISH, "posted")})
    def post(self, request: Request) -> Response:
        require_perm(request.user, "geo.add_wish")
        p = parse(NewWish, request.data)
        require_in_scope(request.user, p["community"], _("社区"))
        comm = Community.objects.filter(code=p["community"]).first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {
                "code": p["community"]}, "community", status_code=status.HTTP_404_NOT_FOUND)
        at = Point(p["lon"], p["lat"], srid=SRID)
        if not comm.geom.buffer(0.0005).covers(at):  # ~50 m of slack along the boundary
            raise ApiError("outside_community", _("心愿的位置不在%(name)s内") % {
                "name": comm.name}, "lon")
        with acting_as(request.user):
            w = Wish.objects.create(community=comm, category=p["category"], text=p["text"],
                                    person=p["person"], location=at,
                                    posted_on=timezone.localdate())
        return Response(wish_json(w, _unmasked(request.user)), status=status.HTTP_201_CREATED)


def _wish(request: Request, pk: int) -> Wish:
    w = (Wish.objects.filter(scope_filter(Wish, scope_of(request.user) or ""))
         .select_related("community", "unit").filter(pk=pk).first())
    if w is None:
        raise ApiError("not_found", _("没有此心愿"), status_code=status.HTTP_404_NOT_FOUND)
    return w


class SuggestParams(serializers.Serializer):
    k = serializers.IntegerField(required=False, min_value=1, max_value=20, default=5)


class SuggestClaimants(APIView):
    """Members and units nearest on foot that suit the wish, members who claimed none first."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_wish"

    @extend_schema(parameters=[SuggestParams], responses={200: sch.response(sch.obj({
        "wish": sch.INT, "metric": sch.STR, "within_m": sch.NUM,
        "candidates": sch.arr(sch.obj({"kind": sch.STR, "id": sch.INT, "name": sch.STR,
                                       "walk_m": sch.NUM}))}), "the best candidates")})
    def get(self, request: Request, pk: int) -> Response:
        p = parse(SuggestParams, request.query_params)
        out = suggest_claimants(_wish(request, pk), p["k"], timezone.localdate())
        if not _unmasked(request.user):
            from geo.analysis.personal import mask_name

            for c in out["candidates"]:
                if c["kind"] == "member":
                    c["name"] = mask_name(c["name"])
        return Response(out)


class ClaimBody(serializers.Serializer):
    member = serializers.IntegerField(required=False, min_value=1)
    unit = serializers.IntegerField(required=False, min_value=1)
    version = serializers.IntegerField(min_value=1)


class ActBody(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    version = serializers.IntegerField(min_value=1)


class WishAct(APIView):
    """Claim, fulfil or withdraw a wish (POST); 409 when it changed since read."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_wish"

    @extend_schema(operation_id="wishes_act", request=ClaimBody,
                   responses={200: sch.response(WISH, "done"),
                              409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int, action: str) -> Response:
        w = _wish(request, pk)
        require_in_scope(request.user, w.community.code, _("社区"))
        today = timezone.localdate()
        try:
            with acting_as(request.user):
                if action == "claim":
                    p = parse(ClaimBody, request.data)
                    member = unit = None
                    if p.get("member"):
                        member = ReportingMember.objects.filter(
                            scope_filter(ReportingMember, scope_of(request.user) or ""),
                            pk=p["member"]).first()
                        if member is None:
                            raise ApiError("not_found", _("没有编号为 %(id)s 的报到党员") % {
                                "id": p["member"]}, "member", status_code=404)
                    if p.get("unit"):
                        unit = CoBuildingUnit.objects.filter(pk=p["unit"],
                                                             candidate=False).first()
                        if unit is None:
                            raise ApiError("not_found", _("没有此共建单位"), "unit",
                                           status_code=404)
                    w.claim(member, unit, today, p["version"])
                elif action == "fulfil":
                    p = parse(ActBody, request.data)
                    w.fulfil(today, p["note"], p["version"])
                elif action == "cancel":
                    p = parse(ActBody, request.data)
                    w.cancel(p["note"], p["version"])
                else:
                    raise ApiError("not_found", _("没有此操作"), status_code=404)
        except StaleVersion as exc:
            raise stale(exc) from exc
        except ValidationError as exc:
            raise ApiError(exc.code or "invalid", exc.messages[0]) from exc
        return Response(wish_json(w, _unmasked(request.user)))
