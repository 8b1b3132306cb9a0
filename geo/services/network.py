"""The walking graph and center field of the database, cached per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
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
_graph_cache: dict[tuple[object, ...], WalkGraph] = {}
_field_cache: dict[tuple[object, ...], LoadedField] = {}

SIGNATURE_SQL = sql("""
SELECT (SELECT count(*) FROM {WalkEdge}), (SELECT max(id) FROM {WalkEdge}),
       (SELECT count(*) FROM {WalkNode}), (SELECT max(id) FROM {WalkNode}),
       (SELECT count(*) FROM {ServiceCenter}), (SELECT max(updated_at) FROM {ServiceCenter}),
       (SELECT coalesce(sum(version), 0) FROM {ServiceCenter})
""")


def _signature() -> tuple[object, ...]:
    with connection.cursor() as cur:
        cur.execute(SIGNATURE_SQL)
        row = cur.fetchone()
    return tuple(row) if row else ()


def center_rows(ids: list[int] | None = None, licensed_only: bool = False
                ) -> list[tuple[CenterRow, tuple[float, float]]]:
    """Centers (all, licensed, or the given ids) with their WGS84 location, by id."""
    with connection.cursor() as cur:
        cur.execute(sql("""
            SELECT s.id, s.name, s.level, s.floor_area, s.opening_hours, s.services, s.phone,
                   s.address, s.licensed, c.code, ST_X(s.location), ST_Y(s.location)
            FROM {ServiceCenter} s LEFT JOIN {Community} c ON c.id = s.community_id
            WHERE (NOT %s OR s.licensed) AND (%s::bigint[] IS NULL OR s.id = ANY(%s::bigint[]))
            ORDER BY s.id"""), [licensed_only, ids, ids])
        return [(CenterRow(*r[:10]), (float(r[10]), float(r[11]))) for r in cur.fetchall()]


def walk_graph() -> WalkGraph:
    """The whole walking network, rebuilt only when its edges or nodes change."""
    key = _signature()[:4]
    with _lock:
        if key in _graph_cache:
            return _graph_cache[key]
    with connection.cursor() as cur:
        cur.execute(sql("SELECT id, ST_X(geom), ST_Y(geom) FROM {WalkNode} ORDER BY id"))
        nodes = np.array(cur.fetchall(), dtype=np.float64).reshape(-1, 3)
        cur.execute(sql("SELECT start_id, end_id, length_m, ST_AsBinary(geom) FROM {WalkEdge} "
                    "ORDER BY id"))
        edges = cur.fetchall()
    if nodes.size == 0 or not edges:
        raise NetworkError(_("路网为空：请先导入路网（import_osm 或 load_demo）"))
    ids = nodes[:, 0].astype(np.int64)
    start = np.array([e[0] for e in edges], dtype=np.int64)
    end = np.array([e[1] for e in edges], dtype=np.int64)
    graph = WalkGraph.from_arrays(
        nodes[:, 1:], np.searchsorted(ids, start), np.searchsorted(ids, end),
        np.array([e[2] for e in edges], dtype=np.float64),
        list(shapely.from_wkb([bytes(e[3]) for e in edges])),
    )
    with _lock:
        _graph_cache.clear()
        _graph_cache[key] = graph
    return graph


def center_field(licensed_only: bool = False) -> LoadedField:
    """The nearest-center field over all (or only licensed) centers, cached."""
    sig = (*_signature(), licensed_only)
    with _lock:
        if sig in _field_cache:
            return _field_cache[sig]
    graph = walk_graph()
    rows = center_rows(licensed_only=licensed_only)
    if not rows:
        raise NetworkError(_("还没有服务中心"))
    centers = [row for row, _ in rows]
    field = CenterField.build(graph, [xy for _, xy in rows])
    loaded = LoadedField(field=field, centers=centers, signature=sig)
    with _lock:
        for old in [k for k in _field_cache if k[-1] == licensed_only]:
            del _field_cache[old]
        _field_cache[sig] = loaded
    return loaded
