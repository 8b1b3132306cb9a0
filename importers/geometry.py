"""Check and repair one row's geometry for its layer (Django-free).

An invalid polygon is repaired with ``make_valid`` only when the repair keeps its
area within ``MAX_REPAIR_CHANGE`` (0.1%); a bow-tie's area changes far more, so it is
an error the data steward must fix. Areas are geodesic square metres (WGS84
ellipsoid), never square degrees.
"""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.analysis.projection import GEOD

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


def _repair(geom: BaseGeometry) -> tuple[BaseGeometry, str]:
    reason = explain_validity(geom)
    before = area_m2(geom)
    fixed = shapely.make_valid(geom)
    parts = _polygons(fixed)
    if not parts:
        raise GeometryProblem("invalid_geometry", f"invalid polygon ({reason}) with nothing "
                              "left after repair")
    repaired = MultiPolygon(parts) if len(parts) > 1 else parts[0]
    after = area_m2(repaired)
    change = abs(after - before) / before if before > 0 else float("inf")
    if change > MAX_REPAIR_CHANGE:
        shown = "∞" if change == float("inf") else f"{change:.1%}"
        raise GeometryProblem("invalid_geometry", f"invalid polygon ({reason}); repairing it "
                              f"changes the area by {shown} (over {MAX_REPAIR_CHANGE:.1%}): "
                              "fix the boundary in your GIS")
    return repaired, f"repaired ({reason}), area changed {change:.4%}"


def clean_geometry(kind: str, geom: BaseGeometry) -> tuple[BaseGeometry, str]:
    """The geometry to store for ``kind`` and a note (repair), or raise GeometryProblem."""
    fam = family(geom)
    note = ""
    wants_polygon = kind in AREA_RANGE or (kind in FOOTPRINT_OK and fam == "polygon")
    if not wants_polygon:
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if not isinstance(geom, Point):
            detail = f"{len(geom.geoms)} points in one row" if fam == "point" \
                else geom.geom_type
            raise GeometryProblem("wrong_geometry_type", f"{kind} need one point, got {detail}")
        return geom, note
    if fam != "polygon":
        raise GeometryProblem("wrong_geometry_type", f"{kind} need polygons, got "
                              f"{geom.geom_type}")
    if not geom.is_valid:
        geom, note = _repair(geom)
    area = area_m2(geom)
    lo, hi = AREA_RANGE.get(kind, (1.0, 5e7))
    if not lo <= area <= hi:
        raise GeometryProblem("absurd_area", f"area {area:,.1f} m² is outside the plausible "
                              f"range for {kind} ({lo:,.0f}–{hi:,.0f} m²)")
    parts = _polygons(geom)
    if kind in HIERARCHY:
        return MultiPolygon(parts), note
    if len(parts) != 1:
        raise GeometryProblem("multi_part", f"{len(parts)} separate polygons in one row; "
                              f"{kind} need one polygon each (split the row)")
    return parts[0], note
