"""The items request's query parameters, validated at the door (one error per bad value)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from django.utils.translation import gettext as _

from geo.analysis.chinacoords import gcj02_to_wgs84

from .collections import Collection
from .crs import Crs, CrsError, parse_crs
from .query import ItemsQuery, parse_value

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# Parameters every items request may carry besides the collection's queryables.
COMMON = {"limit", "bbox", "bbox-crs", "crs", "datetime", "f", "after", "before"}


class BadParameter(ValueError):
    """A parameter the server cannot use: its name and what to send instead."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _crs(params: Mapping[str, str], name: str) -> Crs:
    try:
        return parse_crs(params.get(name))
    except CrsError as exc:
        from .crs import SUPPORTED
        raise BadParameter(name, _("不支持坐标系 %(crs)s；可用：%(known)s") % {
            "crs": params.get(name), "known": ", ".join(SUPPORTED)}) from exc


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise BadParameter("limit", _("limit 应为不小于 1 的整数"))
    # OGC API – Features: a limit above the maximum is served at the maximum, not refused.
    return min(int(raw), MAX_LIMIT)


def _key(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise BadParameter(name, _("%(name)s 应为下一页链接给出的整数") % {"name": name})
    return int(raw)


def _bbox(params: Mapping[str, str], crs: Crs) -> tuple[float, float, float, float, int] | None:
    raw = params.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:  # minx,miny,minz,maxx,maxy,maxz: heights do not matter here
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadParameter("bbox", _("bbox 应为四个数：最小x,最小y,最大x,最大y"
                                     "（按 bbox-crs 的轴序）"))
    x1, y1, x2, y2 = values
    if crs.lat_first:
        x1, y1, x2, y2 = y1, x1, y2, x2
    if not (x1 < x2 and y1 < y2):
        raise BadParameter("bbox", _("bbox 的最小值应小于最大值"))
    if crs.srid in (4326, 4490, None) and not (x1 >= -180 and x2 <= 180 and y1 >= -90 and y2 <= 90):
        raise BadParameter("bbox", _("bbox 超出经纬度范围"))
    if crs.srid is None:  # GCJ-02 corners back to WGS84
        lon, lat = gcj02_to_wgs84([x1, x2], [y1, y2])
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1]), 4326
    return x1, y1, x2, y2, crs.srid


def _instant(raw: str, end: bool) -> dt.datetime | None:
    if raw in ("", ".."):
        return None
    if len(raw) == 10:  # a date: the whole day
        day = dt.date.fromisoformat(raw)
        moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        return moment.replace(tzinfo=dt.UTC)
    moment = dt.datetime.fromisoformat(raw.replace("z", "Z"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _interval(params: Mapping[str, str], c: Collection
              ) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    raw = params.get("datetime")
    if raw is None:
        return None
    if not c.temporal:
        raise BadParameter("datetime", _("图层 %(id)s 没有时间属性") % {"id": c.id})
    try:
        if "/" in raw:
            start, end = raw.split("/", 1)
            interval = (_instant(start, False), _instant(end, True))
        else:
            interval = (_instant(raw, False), _instant(raw, True))
    except ValueError as exc:
        raise BadParameter("datetime", _("datetime 应为 RFC 3339 时间或区间，例如 "
                                         "2025-01-01T00:00:00Z/.. 或 2025-03-01")) from exc
    if interval[0] and interval[1] and interval[0] > interval[1]:
        raise BadParameter("datetime", _("datetime 区间的开始晚于结束"))
    return interval


def items_query(params: Mapping[str, str], c: Collection, scope: str) -> ItemsQuery:
    """The :class:`ItemsQuery` of an items request; :class:`BadParameter` on the first fault."""
    unknown = sorted(set(params) - COMMON - set(c.queryables))
    if unknown:
        names = ", ".join(sorted(COMMON | set(c.queryables)))
        raise BadParameter(unknown[0], _("未知参数 %(name)s；此图层可用：%(names)s") % {
            "name": unknown[0], "names": names})
    filters = {}
    for name in c.queryables:
        if name in params:
            try:
                filters[name] = parse_value(c, name, params[name])
            except ValueError as exc:
                raise BadParameter(name, _("%(name)s 的值 %(value)s 不是 %(type)s") % {
                    "name": name, "value": params[name],
                    "type": c.properties[name]}) from exc
    after, before = _key(params, "after"), _key(params, "before")
    if after is not None and before is not None:
        raise BadParameter("before", _("after 和 before 只能给一个"))
    return ItemsQuery(c, limit=_limit(params.get("limit")), after=after, before=before,
                      bbox=_bbox(params, _crs(params, "bbox-crs")), filters=filters,
                      interval=_interval(params, c), scope=scope, crs=_crs(params, "crs"))
