"""Check and repair one row's geometry for its layer (Django-free).

An invalid polygon is repaired with ``make_valid`` only when the repair keeps its
area within ``MAX_REPAIR_CHANGE`` (0.1%); a bow-tie's area changes far more, so it is
an error the data steward must fix. Areas are geodesic square metres (WGS84
ellipsoid), never square degrees.
"""

from __future__ import annotations

import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.analysis.projection import GEOD
from importers.fields import kind_noun

MAX_REPAIR_CHANGE = 0.001
# Plausible areas per layer in m² (smallest, largest).
AREA_RANGE = {
    "districts": (1e4, 2e11), "streets": (1e3, 2e10), "communities": (100.0, 5e9),
    "grids": (10.0, 1e9), "compounds": (10.0, 5e7), "buildings": (2.0, 2e6),
}
HIERARCHY = {"districts", "streets", "communities", "grids"}
FOOTPRINT_OK = {"centers", "units"}


class GeometryProblem(ValueError):
    """The geometry cannot be used; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def family(geom: BaseGeometry) -> str:
    """point, line, polygon or collection."""
    t = geom.geom_type
    if t in ("Point", "MultiPoint"):
        return "point"
    if t in ("LineString", "MultiLineString", "LinearRing"):
        return "line"
    if t in ("Polygon", "MultiPolygon"):
        return "polygon"
    return "collection"


def area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in m² of a lon/lat geometry."""
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


# GEOS explains invalid geometry in English; the planner reads it in the interface's language.
GEOS_REASONS = {
    "Ring Self-intersection": gettext_lazy("环自相交"),
    "Self-intersection": gettext_lazy("自相交"),
    "Too few points in geometry component": gettext_lazy("点数过少"),
    "Hole lies outside shell": gettext_lazy("洞在外环之外"),
    "Interior is disconnected": gettext_lazy("内部不连通"),
    "Nested holes": gettext_lazy("洞相互嵌套"),
    "Nested shells": gettext_lazy("外环相互嵌套"),
    "Duplicate Rings": gettext_lazy("环重复"),
    "Invalid Coordinate": gettext_lazy("坐标无效"),
    "Ring is not closed": gettext_lazy("环未闭合"),
}


def validity_reason(geom: BaseGeometry) -> str:
    """Why ``geom`` is invalid, with where: 自相交 [104.06 30.65]."""
    text = explain_validity(geom)
    for english, label in GEOS_REASONS.items():
        if text.startswith(english):
            return f"{label} {text[len(english):].strip()}".strip()
    return text


def _repair(geom: BaseGeometry) -> tuple[BaseGeometry, str]:
    reason = validity_reason(geom)
    before = area_m2(geom)
    fixed = shapely.make_valid(geom)
    parts = _polygons(fixed)
    if not parts:
        raise GeometryProblem("invalid_geometry", _("多边形无效（%(reason)s），修复后什么也不剩")
                              % {"reason": reason})
    repaired = MultiPolygon(parts) if len(parts) > 1 else parts[0]
    after = area_m2(repaired)
    change = abs(after - before) / before if before > 0 else float("inf")
    if change > MAX_REPAIR_CHANGE:
        shown = "∞" if change == float("inf") else f"{change:.1%}"
        raise GeometryProblem("invalid_geometry", _(
            "多边形无效（%(reason)s）；修复会使面积变化 %(change)s（超过 %(max)s）："
            "请在 GIS 中修正边界")
            % {"reason": reason, "change": shown, "max": f"{MAX_REPAIR_CHANGE:.1%}"})
    return repaired, _("已修复（%(reason)s），面积变化 %(change)s") % {
        "reason": reason, "change": f"{change:.4%}"}


def clean_geometry(kind: str, geom: BaseGeometry) -> tuple[BaseGeometry, str]:
    """The geometry to store for ``kind`` and a note (repair), or raise GeometryProblem."""
    fam = family(geom)
    note = ""
    wants_polygon = kind in AREA_RANGE or (kind in FOOTPRINT_OK and fam == "polygon")
    if not wants_polygon:
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if not isinstance(geom, Point):
            detail = _("一行中有 %(n)s 个点") % {"n": len(geom.geoms)} if fam == "point" \
                else geom.geom_type
            raise GeometryProblem("wrong_geometry_type", _("%(kind)s 需要一个点，文件中是 %(got)s")
                                  % {"kind": kind_noun(kind), "got": detail})
        return geom, note
    if fam != "polygon":
        raise GeometryProblem("wrong_geometry_type", _("%(kind)s 需要多边形，文件中是 %(got)s")
                              % {"kind": kind_noun(kind), "got": geom.geom_type})
    if not geom.is_valid:
        geom, note = _repair(geom)
    area = area_m2(geom)
    lo, hi = AREA_RANGE.get(kind, (1.0, 5e7))
    if not lo <= area <= hi:
        raise GeometryProblem("absurd_area", _(
            "面积 %(area)s m² 超出%(kind)s的合理范围（%(lo)s–%(hi)s m²）") % {
                "area": f"{area:,.1f}", "kind": kind_noun(kind), "lo": f"{lo:,.0f}",
                "hi": f"{hi:,.0f}"})
    parts = _polygons(geom)
    if kind in HIERARCHY:
        return MultiPolygon(parts), note
    if len(parts) != 1:
        raise GeometryProblem("multi_part", _(
            "一行中有 %(n)s 个分离的多边形；每个%(kind)s只能有一个多边形（请拆分该行）") % {
                "n": len(parts), "kind": kind_noun(kind)})
    return parts[0], note
