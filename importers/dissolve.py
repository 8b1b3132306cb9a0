"""Streets and districts made from a community file's columns (Django-free).

Open data often lists communities with the names of their street (街道名称) and district
(县市区) but ships no street or district layer. A street is then the union of its
communities' polygons, keyed by (district name, street name) because two districts
may each have a 新华街道; a district is the union of its streets.

A name that appears as several rows under one street (养志社区 in two parts 845 m apart)
is one community with several parts: the writer (``importers/store.py``) joins such rows
into one MultiPolygon with :func:`as_multipolygon` instead of refusing the second as a
duplicate, and says how far apart the parts lie (:func:`part_distance_m`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo.analysis.projection import geodesic_matrix


@dataclass(frozen=True)
class Area:
    """A street or district dissolved from rows: its name, its parent's name, the rows."""

    name: str
    parent_name: str  # the district of a street; '' for a district
    geom: MultiPolygon
    rows: tuple[int, ...]


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """The polygons of ``geom`` as one MultiPolygon (lines and points of a union dropped)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys)


def dissolve_parents(rows: Sequence[int], streets: Sequence[str], districts: Sequence[str],
                     geoms: Sequence[BaseGeometry]) -> tuple[list[Area], list[Area]]:
    """Districts and streets as unions of the rows that name them.

    Parameters
    ----------
    rows, streets, districts, geoms
        One entry per community row: its row number, street name, district name
        ('' when unknown) and polygon (WGS84).

    Returns
    -------
    (districts, streets)
        Each in the order first seen in the file. A street is keyed by
        (district, street): the same street name under two districts is two streets.
        A district is the union of every row naming it.
    """
    by_street: dict[tuple[str, str], list[int]] = {}
    by_district: dict[str, list[int]] = {}
    for i, (street, district) in enumerate(zip(streets, districts, strict=True)):
        by_street.setdefault((district, street), []).append(i)
        if district:
            by_district.setdefault(district, []).append(i)

    def union(members: list[int]) -> MultiPolygon:
        return as_multipolygon(shapely.union_all([geoms[i] for i in members]))

    out_streets = [Area(s, d, union(m), tuple(rows[i] for i in m))
                   for (d, s), m in by_street.items()]
    out_districts = [Area(d, "", union(m), tuple(rows[i] for i in m))
                     for d, m in by_district.items()]
    return out_districts, out_streets


def part_distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Metres between the nearest points of two WGS84 shapes (0 when they touch)."""
    pa, pb = nearest_points(a, b)
    return float(geodesic_matrix(np.array([[pa.x, pa.y]]), np.array([[pb.x, pb.y]]))[0, 0])
