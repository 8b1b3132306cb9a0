"""Coverage of the database's buildings by licensed centers, per grid up to district."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from django.db import connection

from geo.analysis.coverage import (
    coverage_by_level,
    lowest_covering,
    reach_column,
    reach_polygons,
)
from geo.analysis.rules import RuleProfile
from geo.models.tables import sql

from .network import LOCAL_MARGIN_M, LoadedField, center_field, scope_area
from .results import CoverageReport, ReachRow, UncoveredCompound

# Buildings of the scope's communities; their grids are found in Python in one pass
# (lowest_covering), not by a grid lookup per building (16.7 s for a city's 535k).
BUILDINGS_SQL = sql("""
SELECT b.id, ST_X(p), ST_Y(p), b.households, c.code, b.compound_id
FROM {Building} b
JOIN {Community} c ON c.id = b.community_id
CROSS JOIN LATERAL ST_PointOnSurface(b.geom) AS p
WHERE b.households > 0 AND c.code LIKE %s
""")
# Buildings in no community count for the scope their grid lies in (few: looked up one by one).
LOOSE_BUILDINGS_SQL = sql("""
SELECT b.id, ST_X(p), ST_Y(p), b.households, g.code, b.compound_id
FROM {Building} b
CROSS JOIN LATERAL ST_PointOnSurface(b.geom) AS p
LEFT JOIN LATERAL (SELECT code FROM {GridUnit} g WHERE ST_Covers(g.geom, p)
                   ORDER BY code LIMIT 1) g ON true
WHERE b.households > 0 AND b.community_id IS NULL AND coalesce(g.code, '') LIKE %s
""")
GRIDS_SQL = sql("""
SELECT code, ST_AsBinary(geom) FROM {GridUnit}
WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)
""")

COMPOUNDS_SQL = sql("""
SELECT k.id, k.name, k.households, c.code, c.name, ST_X(p), ST_Y(p)
FROM {Compound} k
CROSS JOIN LATERAL ST_PointOnSurface(k.geom) AS p
LEFT JOIN {Community} c ON c.id = k.community_id
WHERE coalesce(c.code, '') LIKE %s
ORDER BY k.id
""")


@dataclass
class Measured:
    """Walking distance of every building and compound in a scope to its nearest center."""

    loaded: LoadedField
    # id, lon, lat, households, grid code, community code, compound
    buildings: list[tuple[Any, ...]]
    distance: np.ndarray  # (B,) metres, inf when no center is reachable
    compounds: list[tuple[Any, ...]]  # id, name, households, community code, name, lon, lat
    compound_distance: np.ndarray  # (K,) metres
    source: np.ndarray  # (B,) index of each building's nearest center, -1 when none


def measure(scope: str, local: bool = False) -> Measured:
    """Distances of the scope's buildings and compounds to the nearest licensed center.

    ``local``: over the network within ``LOCAL_MARGIN_M`` of the scope only (a region task's
    way: one city's graph, not the province's); distances past the margin may read longer.
    """
    area = scope_area(scope, LOCAL_MARGIN_M) if local and scope else None
    loaded = center_field(licensed_only=True, area=area)
    with connection.cursor() as cur:
        rows = _buildings(cur, scope)
        cur.execute(COMPOUNDS_SQL, [scope + "%"])
        compounds = cur.fetchall()
    xy = np.array([(r[1], r[2]) for r in rows], dtype=np.float64).reshape(-1, 2)
    cxy = np.array([(r[5], r[6]) for r in compounds], dtype=np.float64).reshape(-1, 2)
    distance, source = (loaded.field.distances(xy)[:2] if rows else
                        (np.zeros(0), np.zeros(0, dtype=np.int64)))
    return Measured(
        loaded=loaded, buildings=rows, distance=distance, source=source,
        compounds=compounds,
        compound_distance=loaded.field.distances(cxy)[0] if compounds else np.zeros(0))


def _buildings(cur: Any, scope: str) -> list[tuple[Any, ...]]:
    """(id, lon, lat, households, grid code, community code, compound) by id."""
    cur.execute(BUILDINGS_SQL, [scope + "%"])
    inside = cur.fetchall()
    grid_of: list[str | None] = []
    if inside:
        xy = np.array([(r[1], r[2]) for r in inside], dtype=np.float64)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        cur.execute(GRIDS_SQL, [x0, y0, x1, y1])
        grids = cur.fetchall()
        grid_of = lowest_covering(xy, shapely.from_wkb([bytes(g[1]) for g in grids]),
                                  [g[0] for g in grids])
    rows = [(r[0], r[1], r[2], r[3], g, r[4], r[5])
            for r, g in zip(inside, grid_of, strict=True)]
    cur.execute(LOOSE_BUILDINGS_SQL, [scope + "%"])
    rows += [(r[0], r[1], r[2], r[3], r[4], None, r[5]) for r in cur.fetchall()]
    rows.sort(key=lambda r: r[0])
    return rows


def run_coverage(scope: str, reaches: Sequence[float], profile: RuleProfile,
                 polygons: bool = False, measured: Measured | None = None) -> CoverageReport:
    """Shares within each reach per level, uncovered compounds and optional reach areas."""
    m = measured or measure(scope)
    rows, compounds = m.buildings, m.compounds
    hh = np.array([r[3] for r in rows], dtype=np.float64)
    comm = [r[5] or (r[4][:12] if r[4] else None) for r in rows]
    levels = {
        "grid": [r[4] for r in rows],
        "community": comm,
        "street": [c[:9] if c else None for c in comm],
        "district": [c[:6] if c else None for c in comm],
    }
    tables = coverage_by_level(m.distance, hh, levels, reaches)
    far = max(reaches)
    uncovered: list[UncoveredCompound] = [
        {"id": r[0], "name": r[1], "households": r[2], "community_code": r[3],
         "community": r[4], "distance_m": None if not np.isfinite(d) else round(float(d), 1),
         "lon": round(r[5], 7), "lat": round(r[6], 7)}
        for r, d in zip(compounds, m.compound_distance, strict=True) if not d <= far
    ]
    uncovered.sort(key=lambda c: -(c["distance_m"] or float("inf")))
    result: CoverageReport = {
        "profile": profile.name,
        "scope": scope or None,
        "reaches_m": list(reaches),
        "centers": len(m.loaded.centers),
        "buildings": len(rows),
        "levels": {name: _records(t, reaches) for name, t in tables.items()},
        "uncovered_compounds": uncovered,
    }
    if polygons:
        centers = m.loaded.centers
        result["reach_areas"] = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                 "properties": {"center_id": centers[c].id,
                                "center": centers[c].name, "reach_m": r}}
                for c, r, geom in reach_polygons(m.loaded.field, reaches,
                                                 centers=_serving(m, scope, max(reaches)))
            ],
        }
    return result


def _serving(m: Measured, scope: str, far: float) -> np.ndarray:
    """The centers a scope's reach map shows: nearest to one of its buildings within the
    farthest reach, or standing in it (a district's page must not draw the whole city)."""
    near = m.source[(m.source >= 0) & (m.distance <= far)]
    inside = [i for i, c in enumerate(m.loaded.centers)
              if (c.community_code or "").startswith(scope)]
    return np.union1d(near, np.asarray(inside, dtype=np.int64))


def _records(frame: Any, reaches: Sequence[float]) -> list[ReachRow]:
    out = []
    for row in frame.itertuples(index=False):
        rec: ReachRow = {"code": row.key, "buildings": int(row.buildings),
               "households": int(row.households),
               "worst_m": None if not np.isfinite(row.worst_m) else round(float(row.worst_m), 1)}
        for r in reaches:
            val = getattr(row, reach_column(r))
            rec[reach_column(r)] = None if not np.isfinite(val) else round(float(val), 4)
        out.append(rec)
    return out
