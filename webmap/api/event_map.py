"""The staff map of grid events: filters shared with the list, points or clusters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.event_flow import State
from geo.services import event_map
from geo.services import events as svc

from . import schemas as sch
from .params import parse
from .permissions import StaffInScope

MAX_SPAN_DEG = 3.0  # a province's city, not a continent: one view of the staff map


class FilterParams(serializers.Serializer):
    state = serializers.CharField(required=False, default="", allow_blank=True,
                                  help_text="comma list of states (default: the open ones)")
    category = serializers.CharField(required=False, default="", allow_blank=True,
                                     max_length=20)
    since = serializers.DateField(required=False, default=None, allow_null=True,
                                  help_text="reported on or after this day (Beijing time)")
    until = serializers.DateField(required=False, default=None, allow_null=True,
                                  help_text="reported on or before this day (Beijing time)")
    overdue = serializers.BooleanField(required=False, default=False)

    def validate_state(self, value: str) -> str:
        known = {s.value for s in State}
        bad = [s for s in value.split(",") if s and s not in known]
        if bad:
            raise serializers.ValidationError(
                _("没有状态 %(bad)s；可用：%(known)s") % {"bad": ", ".join(bad),
                                                      "known": ", ".join(sorted(known))})
        return value

    def validate_category(self, value: str) -> str:
        if value and value not in svc.categories():
            raise serializers.ValidationError(
                _("没有事件类别 %(code)s；可用：%(known)s") % {
                    "code": value, "known": ", ".join(svc.categories())})
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["since"] and attrs["until"] and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": _("结束日期早于开始日期")})
        return attrs


def event_filter(p: dict[str, Any]) -> event_map.EventFilter:
    """The filter of validated :class:`FilterParams` (days are Beijing days)."""
    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), timezone.get_default_timezone())
    return event_map.EventFilter(
        states=tuple(s for s in p["state"].split(",") if s), category=p["category"],
        since=midnight(p["since"]) if p["since"] else None,
        until=midnight(p["until"] + dt.timedelta(days=1)) if p["until"] else None,
        overdue=p["overdue"])


class MapParams(FilterParams):
    bbox = serializers.CharField(help_text="min_lon,min_lat,max_lon,max_lat (WGS84)")
    zoom = serializers.IntegerField(min_value=0, max_value=22)

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        try:
            w, s, e, n = (float(v) for v in value.split(","))
        except ValueError as exc:
            raise serializers.ValidationError(
                _("bbox 应为四个数：最小经度,最小纬度,最大经度,最大纬度")) from exc
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise serializers.ValidationError(
                _("bbox 应为 最小经度,最小纬度,最大经度,最大纬度，且最小值小于最大值"))
        if e - w > MAX_SPAN_DEG or n - s > MAX_SPAN_DEG:
            raise serializers.ValidationError(
                _("bbox 跨度超过 %(deg)s 度：请放大地图") % {"deg": MAX_SPAN_DEG})
        return w, s, e, n


FEATURE = sch.obj({"code": sch.nullable(sch.STR), "category": sch.STR,
                   "state": sch.nullable(sch.STR), "lon": sch.NUM, "lat": sch.NUM,
                   "count": sch.INT, "overdue": sch.INT})
MAP = sch.obj({"mode": sch.STR, "total": sch.INT, "cell_m": sch.nullable(sch.NUM),
               "features": sch.arr(FEATURE)})


class EventMap(APIView):
    """事件地图 the scope's events in a map view: each one, or counted per screen cell."""

    permission_classes = (StaffInScope,)

    @extend_schema(parameters=[MapParams], operation_id="events_map",
                   responses={200: sch.response(MAP, "points (≤ 400) or clusters")})
    def get(self, request: Request) -> Response:
        p = parse(MapParams, request.query_params)
        now = timezone.now()
        qs = event_map.filtered(svc.visible_events(request.user), event_filter(p), now)
        return Response(event_map.map_layer(qs, p["bbox"], p["zoom"], now))
