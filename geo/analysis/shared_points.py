"""Moving a point that several polygons share, keeping them a partition (Django-free).

The server's twin of the editor's ``topology.js``: communities and their grids form one
planar partition, so a boundary point they share is one point. Moving it moves it on
every polygon holding it as a vertex, and a polygon whose edge merely passes through it
(a T-junction) gains the moved point, so no gap or overlap opens.
"""

from __future__ import annotations

from itertools import pairwise

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

Point2 = tuple[float, float]

EPS = 1e-7  # degrees (about 1 cm): two vertices this close are the same point


def _near(a: Point2, b: Point2, eps: float) -> bool:
    return abs(a[0] - b[0]) <= eps and abs(a[1] - b[1]) <= eps


def on_segment(p: Point2, a: Point2, b: Point2, eps: float = EPS) -> bool:
    """Whether ``p`` lies on the open segment (a, b), within ``eps``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return False
    t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
    if t <= 0 or t >= 1:
        return False
    x, y = a[0] + t * dx - p[0], a[1] + t * dy - p[1]
    return x * x + y * y <= eps * eps


def _ring(coords: list[Point2], frm: Point2, to: Point2, eps: float) -> tuple[list[Point2], bool]:
    out: list[Point2] = []
    changed = False
    for k, p in enumerate(coords):
        if _near(p, frm, eps):
            out.append(to)
            changed = True
            continue
        if k > 0 and not _near(coords[k - 1], frm, eps) and on_segment(frm, coords[k - 1], p,
                                                                        eps):
            out.append(to)
            changed = True
        out.append(p)
    return out, changed


def holds(geom: BaseGeometry, p: Point2, eps: float = EPS) -> bool:
    """Whether ``p`` is a vertex of ``geom`` or lies on one of its edges."""
    for poly in _polygons(geom):
        for ring in [poly.exterior, *poly.interiors]:
            coords = [(float(x), float(y)) for x, y, *_ in ring.coords]
            if any(_near(c, p, eps) for c in coords):
                return True
            if any(on_segment(p, a, b, eps) for a, b in pairwise(coords)):
                return True
    return False


def move_shared(geom: BaseGeometry, frm: Point2, to: Point2,
                eps: float = EPS) -> tuple[BaseGeometry, bool]:
    """``geom`` with the point ``frm`` moved to ``to``, and whether anything moved.

    A vertex at ``frm`` moves; an edge passing through ``frm`` gains ``to`` between its
    ends. Polygons and multipolygons in, the same type out (possibly invalid: the caller
    checks).
    """
    changed = False
    polys = []
    for poly in _polygons(geom):
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            coords, moved = _ring([(float(x), float(y)) for x, y, *_ in ring.coords], frm, to,
                                  eps)
            changed = changed or moved
            rings.append(coords)
        polys.append(Polygon(rings[0], rings[1:]))
    if not changed:
        return geom, False
    return (MultiPolygon(polys) if geom.geom_type == "MultiPolygon" else polys[0]), True


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    raise ValueError(f"expected a polygon or multipolygon, got {geom.geom_type}")
