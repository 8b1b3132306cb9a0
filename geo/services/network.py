"""The walking graph and center field of the database, cached per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from django.db import connection
from django.utils.translation import gettext as _

from geo.analysis.nearest import CenterField
from geo.analysis.network import NetworkError, WalkGraph
from geo.models.tables import sql


@dataclass(frozen=True)
class CenterRow:
    """What the answers need to say about a center."""

    id: int
    name: str
    level: str
    floor_area: float
    opening_hours: str
    services: list[str]
    phone: str
    address: str
    licensed: bool
    community_code: str | None


@dataclass
class LoadedField:
    """A center field with the database rows behind its indices."""

    field: CenterField
    centers: list[CenterRow]
    signature: tuple[object, ...]


_lock = threading.Lock()
_graph_cache: dict[tuple[object, ...], WalkGraph] = {}  # by (signature, area), oldest first
_field_cache: dict[tuple[object, ...], LoadedField] = {}

# The network's version is one row kept by triggers (counting a city's 2.3 million edges
# on every request took ~150 ms); the centers are few enough to sum.
SIGNATURE_SQL = sql("""
SELECT (SELECT token FROM {NetworkVersion} WHERE id = 1),
       (SELECT count(*) FROM {ServiceCenter}), (SELECT max(updated_at) FROM {ServiceCenter}),
       (SELECT coalesce(sum(version), 0) FROM {ServiceCenter})
""")


# Without the row (a database flushed by tests, emptied by hand) the network is counted.
COUNTED_SQL = sql("""
SELECT concat_ws('/', (SELECT count(*) FROM {WalkEdge}), (SELECT max(id) FROM {WalkEdge}),
                 (SELECT count(*) FROM {WalkNode}), (SELECT max(id) FROM {WalkNode}))
""")


def _signature() -> tuple[object, ...]:
    with connection.cursor() as cur:
        cur.execute(SIGNATURE_SQL)
        row = cur.fetchone()
        if row is None:
            return ()
        if row[0] is None:
            cur.execute(COUNTED_SQL)
            counted = cur.fetchone()
            row = (counted[0] if counted else None, *row[1:])
    return tuple(row)


def center_rows(ids: list[int] | None = None, licensed_only: bool = False,
                area: Area | None = None) -> list[tuple[CenterRow, tuple[float, float]]]:
    """Centers (all, licensed, the given ids, those inside ``area``) with their WGS84
    location, by id."""
    with connection.cursor() as cur:
        cur.execute(sql("""
            SELECT s.id, s.name, s.level, s.floor_area, s.opening_hours, s.services, s.phone,
                   s.address, s.licensed, c.code, ST_X(s.location), ST_Y(s.location)
            FROM {ServiceCenter} s LEFT JOIN {Community} c ON c.id = s.community_id
            WHERE (NOT %s OR s.licensed) AND (%s::bigint[] IS NULL OR s.id = ANY(%s::bigint[]))
              AND (%s::float8[] IS NULL OR s.location && ST_MakeEnvelope(
                       (%s::float8[])[1], (%s::float8[])[2], (%s::float8[])[3], (%s::float8[])[4],
                       4326))
            ORDER BY s.id"""), [licensed_only, ids, ids, *[list(area) if area else None] * 5])
        return [(CenterRow(*r[:10]), (float(r[10]), float(r[11]))) for r in cur.fetchall()]


Area = tuple[float, float, float, float]  # lon/lat box: west, south, east, north
# A region task's graph reaches this far past its scope: farther than any reach a profile
# sets, so a distance within a reach is the same as over the whole network.
LOCAL_MARGIN_M = 5000.0
# Graphs kept per process: the whole network plus a few areas (one per region task).
KEEP_GRAPHS = 3


def scope_area(scope: str, margin_m: float) -> Area | None:
    """The box around a scope's districts or communities, widened by ``margin_m`` metres.

    None when the scope holds none (the caller then says there is nothing to do).
    """
    with connection.cursor() as cur:
        cur.execute(sql("""
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (
                SELECT ST_Extent(geom) AS e FROM (
                    SELECT geom FROM {District} WHERE code LIKE %s
                    UNION ALL SELECT geom FROM {Community} WHERE code LIKE %s) g) x"""),
            [scope + "%", scope + "%"])
        row = cur.fetchone()
    if row is None or row[0] is None:
        return None
    w, s_, e, n = (float(v) for v in row)
    dy = margin_m / 110_574.0
    dx = margin_m / (111_320.0 * max(0.1, np.cos(np.radians(max(abs(s_), abs(n))))))
    return (w - dx, s_ - dy, e + dx, n + dy)


def walk_graph(area: Area | None = None) -> WalkGraph:
    """The walking network (whole, or the edges inside ``area``), rebuilt only on change.

    A region task (one city of a province) loads its own area: the whole network of a
    province would not fit each worker's memory, and a walk to a center never leaves the
    city by more than the margin its caller chose.
    """
    key = (_signature()[0], area)
    with _lock:
        if key in _graph_cache:
            return _graph_cache[key]
    box = sql("ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
    inside = f"geom && {box}" if area else "true"
    params = list(area) if area else []
    with connection.cursor() as cur:
        cur.execute(sql(f"SELECT id, ST_X(geom), ST_Y(geom) FROM {{WalkNode}} WHERE {inside} "
                        "ORDER BY id"), params)
        nodes = np.array(cur.fetchall(), dtype=np.float64).reshape(-1, 3)
        cur.execute(sql(f"SELECT start_id, end_id, length_m, ST_AsBinary(geom) FROM {{WalkEdge}} "
                        f"WHERE {inside} ORDER BY id"), params)
        edges = cur.fetchall()
    if nodes.size == 0 or not edges:
        raise NetworkError(_("路网为空：请先导入路网（import_osm 或 load_demo）"))
    ids = nodes[:, 0].astype(np.int64)
    start = np.array([e[0] for e in edges], dtype=np.int64)
    end = np.array([e[1] for e in edges], dtype=np.int64)
    u, v = np.searchsorted(ids, start), np.searchsorted(ids, end)
    # An edge crossing the area's edge has one end outside: it is not part of this graph.
    keep = (u < len(ids)) & (v < len(ids))
    keep[keep] &= (ids[u[keep]] == start[keep]) & (ids[v[keep]] == end[keep])
    picked = np.flatnonzero(keep)
    graph = WalkGraph.from_arrays(
        nodes[:, 1:], u[picked], v[picked],
        np.array([edges[i][2] for i in picked], dtype=np.float64),
        list(shapely.from_wkb([bytes(edges[i][3]) for i in picked])),
    )
    with _lock:
        for old in [k for k in _graph_cache if k[:4] != key[:4]]:
            del _graph_cache[old]  # the network changed: every area is stale
        while len(_graph_cache) >= KEEP_GRAPHS:
            del _graph_cache[next(iter(_graph_cache))]
        _graph_cache[key] = graph
    return graph


def center_field(licensed_only: bool = False, area: Area | None = None) -> LoadedField:
    """The nearest-center field over all (or only licensed) centers, cached.

    With ``area``, over the graph and the centers inside it (see :func:`walk_graph`).
    """
    sig = (*_signature(), area, licensed_only)
    with _lock:
        if sig in _field_cache:
            return _field_cache[sig]
    graph = walk_graph(area)
    rows = center_rows(licensed_only=licensed_only, area=area)
    if not rows:
        raise NetworkError(_("还没有服务中心"))
    centers = [row for row, _ in rows]
    field = CenterField.build(graph, [xy for _, xy in rows])
    loaded = LoadedField(field=field, centers=centers, signature=sig)
    with _lock:
        for old in [k for k in _field_cache if k[-2:] == sig[-2:] or k[:-2] != sig[:-2]]:
            del _field_cache[old]
        while len(_field_cache) >= 2 * KEEP_GRAPHS:
            del _field_cache[next(iter(_field_cache))]
        _field_cache[sig] = loaded
    return loaded


def walk_or_straight(origins: npt.ArrayLike, targets: npt.ArrayLike,
                     limit: float) -> tuple[npt.NDArray[np.float64], str]:
    """(O, T) walking metres, or straight-line metres when no network is loaded.

    The second value says which ("walk" or "straight"), so pages can tell the reader.
    """
    from geo.analysis.nearest import walk_matrix
    from geo.analysis.projection import geodesic_matrix

    o = np.asarray(origins, dtype=np.float64).reshape(-1, 2)
    t = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    if o.shape[0] == 0 or t.shape[0] == 0:
        return np.zeros((o.shape[0], t.shape[0])), "walk"
    try:
        graph = walk_graph()
    except NetworkError:
        return geodesic_matrix(o, t), "straight"
    return walk_matrix(graph, o, t, limit=limit), "walk"
