"""Bodies of the grid editor's endpoints: bounded GeoJSON and short texts, checked at the door."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from shapely.geometry.base import BaseGeometry

from geo.models import GridOperation, ZoneType

from . import schemas as sch
from .errors import ApiError

# Bounds of one editor request: vertices per geometry, per drawn line and in the whole body.
# A community's whole working copy stays far below them; without them one request of
# 12 grids × 20,000 vertices kept a worker busy for 10 s.
MAX_VERTICES = 20_000
MAX_LINE_VERTICES = 1_000
MAX_REQUEST_VERTICES = 60_000
MAX_TEXT = 200
POLYGONAL = ("Polygon", "MultiPolygon")


def count_positions(value: Any) -> int:
    """How many coordinate positions (lists of numbers) a parsed JSON body holds."""
    stack, n = [value], 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if item and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                            for v in item):
                n += 1
            else:
                stack.extend(item)
    return n


class BoundedJSONParser(JSONParser):
    """JSON (strict: no NaN) of at most :data:`MAX_REQUEST_VERTICES` coordinate positions."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ApiError("bad_json", _("请求应为 JSON 对象"))
        vertices = count_positions(data)
        if vertices > MAX_REQUEST_VERTICES:
            raise ApiError("too_large", _("请求共有 %(n)d 个顶点，上限 %(max)d")
                           % {"n": vertices, "max": MAX_REQUEST_VERTICES})
        return data


@extend_schema_field(sch.GEOJSON_GEOMETRY)
class GeometryField(serializers.Field):
    """A GeoJSON geometry of given kinds in WGS84, valid (repaired) and of bounded size."""

    def __init__(self, kinds: tuple[str, ...] = POLYGONAL, **kwargs: Any) -> None:
        self.kinds = kinds
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> BaseGeometry:
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("应为 GeoJSON 几何"))
        try:
            geom = shapely.geometry.shape(data)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise serializers.ValidationError(
                _("不是有效的 GeoJSON：%(why)s") % {"why": exc}) from exc
        if geom.geom_type not in self.kinds:
            raise serializers.ValidationError(_("应为 %(kinds)s，收到 %(got)s") % {
                "kinds": "/".join(self.kinds), "got": geom.geom_type})
        limit = MAX_LINE_VERTICES if self.kinds == ("LineString",) else MAX_VERTICES
        if geom.is_empty or shapely.get_num_coordinates(geom) > limit:
            raise serializers.ValidationError(
                _("为空或顶点超过 %(max)d 个") % {"max": limit})
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise serializers.ValidationError(_("坐标应为有限数"))
        w, s, e, n = geom.bounds
        if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
            raise serializers.ValidationError(_("坐标应为 WGS84 经纬度"))
        return geom if geom.is_valid or geom.geom_type == "LineString" \
            else shapely.make_valid(geom)

    def to_representation(self, value: BaseGeometry) -> dict[str, Any]:
        return dict(shapely.geometry.mapping(value))


class LineText(serializers.CharField):
    """A short single-line text: no control characters (NUL breaks PostgreSQL text)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TEXT)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data is None:
            return ""
        if not isinstance(data, str):
            raise serializers.ValidationError(_("应为文字"))
        if any(ord(c) < 32 or ord(c) == 127 for c in data):
            raise serializers.ValidationError(_("含有控制字符"))
        return str(super().to_internal_value(data))


class StrictInteger(serializers.IntegerField):
    """An integer as JSON writes one: "7" and 7.0 are refused, as a typed client never sends."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError(_("应为整数"))
        return int(super().to_internal_value(data))


class GridVersions(serializers.DictField):
    """``{grid id: version}`` as the editor loaded them, ids as integers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=StrictInteger(min_value=0),
                         help_text="grid id → the version the editor loaded", **kwargs)

    def to_internal_value(self, data: Any) -> dict[int, int]:
        value = super().to_internal_value(data)
        try:
            return {int(k): v for k, v in value.items()}
        except (TypeError, ValueError, OverflowError) as exc:
            raise serializers.ValidationError(_("键应为网格编号（整数）")) from exc


class SplitBody(serializers.Serializer):
    geometry = GeometryField(help_text="the grid to cut")
    line = GeometryField(kinds=("LineString",), help_text="the cutting line, crossing the grid")


class MergeBody(serializers.Serializer):
    geometries = serializers.ListField(child=GeometryField(), min_length=1, max_length=100)


class CarveBody(serializers.Serializer):
    geometry = GeometryField(help_text="the drawn grid")
    others = serializers.ListField(child=GeometryField(), max_length=200,
                                   help_text="the grids of the working copy")


class DraftGrid(serializers.Serializer):
    id = StrictInteger(required=False, allow_null=True, default=None,
                                  help_text="the grid's id; none for a new grid")
    name = LineText(max_length=100)
    geometry = GeometryField()
    zone_type = serializers.ChoiceField(choices=ZoneType.choices, required=False, default="",
                                        allow_blank=True,
                                        help_text="the grid's kind; empty keeps it")


class CheckBody(serializers.Serializer):
    grids = serializers.ListField(child=DraftGrid(), min_length=1, max_length=200)


class SaveBody(serializers.Serializer):
    base = GridVersions()
    grids = serializers.ListField(child=DraftGrid(), min_length=1, max_length=200)
    operation = serializers.ChoiceField(choices=GridOperation.values, default="edit",
                                        allow_null=True)
    note = LineText()


class ProposeBody(serializers.Serializer):
    min = serializers.IntegerField(min_value=1, max_value=100_000, required=False, default=None,
                                   help_text="households a grid holds at least "
                                             "(default: the rule profile's)")
    max = serializers.IntegerField(min_value=1, max_value=100_000, required=False, default=None,
                                   help_text="households a grid holds at most")
    target = serializers.IntegerField(min_value=1, max_value=100_000, required=False,
                                      default=None,
                                      help_text="households a grid should hold (default: "
                                                "the middle of the range)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["min"] and attrs["max"] and attrs["min"] > attrs["max"]:
            raise serializers.ValidationError({"max": _("上限小于下限")})
        return attrs


class LonLat(serializers.ListField):
    """A [lon, lat] pair of finite numbers in range."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.FloatField(), min_length=2, max_length=2, **kwargs)

    def to_internal_value(self, data: Any) -> tuple[float, float]:  # type: ignore[override]
        lon, lat = super().to_internal_value(data)
        if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):
            raise serializers.ValidationError(_("应为 [经度, 纬度]，在 WGS84 范围内"))
        return float(lon), float(lat)


class BoundaryMoveBody(serializers.Serializer):
    start = LonLat(help_text="the boundary point as loaded, [lon, lat]")
    end = LonLat(help_text="where it goes, [lon, lat]")
    version = StrictInteger(min_value=0, help_text="the community's version as loaded")
    base = GridVersions()


class RenumberBody(serializers.Serializer):
    base = GridVersions()
