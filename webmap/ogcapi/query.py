"""Pages of a collection's features, straight from PostGIS as GeoJSON text.

Pages are walked by key (``id > after``, ``id < before``), never by ``OFFSET``: page 1,000
costs what page 1 does. PostGIS writes each geometry and the properties as JSON; Python only
joins the rows. ``numberMatched`` is counted only when the planner expects few enough rows
for a count to be cheap, and left out above (OGC API – Features makes it optional).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import connection

from geo.analysis.chinacoords import wgs84_to_gcj02
from geo.models.tables import table

from .collections import BOOLEAN, INTEGER, Collection
from .crs import DEFAULT, Crs

# Above this many rows (the planner's estimate) numberMatched is left out.
EXACT_COUNT_LIMIT = 200_000
# Below this many matches (estimated) a filtered page finds its matches first (fetch_page).
FILTER_FIRST_LIMIT = 100_000


@dataclass
class ItemsQuery:
    """What one items request selects; every value already validated at the boundary."""

    collection: Collection
    limit: int = 100
    after: int | None = None
    before: int | None = None
    bbox: tuple[float, float, float, float, int] | None = None  # x1, y1, x2, y2, srid
    filters: dict[str, Any] = field(default_factory=dict)
    interval: tuple[dt.datetime | None, dt.datetime | None] | None = None
    scope: str = ""  # a staff user's hierarchy code ("" city-wide)
    crs: Crs = DEFAULT


@dataclass
class Page:
    """One page: the features as GeoJSON text, in id order, and the keys around it."""

    features: list[str]
    first_id: int | None
    last_id: int | None
    more: bool  # rows beyond this page in the direction walked


def _where(q: ItemsQuery, keyset: bool = True) -> tuple[str, dict[str, Any]]:
    c, parts = q.collection, ["TRUE"]
    params: dict[str, Any] = {}
    if q.bbox is not None:
        # The index finds the boxes that overlap; a feature whose box lies inside the
        # envelope meets it for certain, so only those on its edge pay for ST_Intersects
        # (50,000 buildings: 50 ms instead of 210 ms).
        env = "ST_MakeEnvelope(%(x1)s, %(y1)s, %(x2)s, %(y2)s, 4326)"
        parts.append(f"s.geom && {env} AND ({env} ~ s.geom OR ST_Intersects(s.geom, {env}))")
        x1, y1, x2, y2 = wgs84_box(q.bbox)
        params.update(x1=x1, y1=y1, x2=x2, y2=y2)
    for i, (name, value) in enumerate(sorted(q.filters.items())):
        if name not in c.queryables:  # the view checks; this keeps SQL out of names
            raise ValueError(name)
        parts.append(f"s.{name} = %(f{i})s")
        params[f"f{i}"] = value
    if q.interval is not None and c.temporal:
        start, end = q.interval
        if start is not None:
            parts.append(f"s.{c.temporal} >= %(t_start)s")
            params["t_start"] = start
        if end is not None:
            parts.append(f"s.{c.temporal} <= %(t_end)s")
            params["t_end"] = end
    if q.scope and c.scope_where:
        parts.append(c.scope_where)
        params["scope"] = q.scope + "%"
    if keyset and q.after is not None:
        parts.append("s.id > %(after)s")
        params["after"] = q.after
    if keyset and q.before is not None:
        parts.append("s.id < %(before)s")
        params["before"] = q.before
    return " AND ".join(parts), params


def _geometry_sql(crs: Crs) -> str:
    if crs.srid is None:  # GCJ-02: shifted in Python from full-precision WGS84
        return "ST_AsGeoJSON(s.geom, 9)"
    geom = "s.geom" if crs.srid == 4326 else f"ST_Transform(s.geom, {crs.srid})"
    if crs.lat_first:
        geom = f"ST_FlipCoordinates({geom})"
    return f"ST_AsGeoJSON({geom}, {crs.digits}, 0)"  # 0: no "crs" member (Content-Crs says it)


def _properties_sql(c: Collection) -> str:
    pairs = ", ".join(f"'{name}', s.{name}" for name in c.properties)
    return f"json_build_object({pairs})::text"


def _shift_gcj02(geometries: list[str]) -> list[str]:
    geoms = shapely.from_geojson(np.array(geometries, dtype=object))

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([np.round(lon, 7), np.round(lat, 7)])

    return [shapely.to_geojson(g) for g in shapely.transform(geoms, shift)]


def _features(rows: list[tuple[Any, ...]], crs: Crs) -> list[str]:
    geometries = [r[1] for r in rows]
    if crs.srid is None and geometries:
        geometries = _shift_gcj02(geometries)
    return [f'{{"type":"Feature","id":{r[0]},"geometry":{g},"properties":{r[2]}}}'
            for r, g in zip(rows, geometries, strict=True)]


def fetch_page(q: ItemsQuery, filter_first: bool = False) -> Page:
    """The page of ``q``: ``limit`` features after ``after`` (or before ``before``).

    By default the primary key's index walks the rows in order and the filters are checked
    on the way, which stops after ``limit`` matches: right when matches are common. When
    they are few (``filter_first``, from :func:`estimate`), the walk could pass most of a
    million rows before the first match, so the filters' own indexes (the spatial one, the
    codes) find every match first and only those are ordered (``id + 0`` keeps the planner
    off the key's index).
    """
    where, params = _where(q)
    backwards = q.before is not None and q.after is None
    order = "DESC" if backwards else "ASC"
    params["limit"] = q.limit + 1
    columns = f"s.id, {_geometry_sql(q.crs)}, {_properties_sql(q.collection)}"
    if filter_first:
        # The page's keys first (only what the filters need), then its features' JSON:
        # written for the page, not for every match the sort went through.
        sql = (f"WITH page AS MATERIALIZED (SELECT s.id FROM ({q.collection.select}) s "
               f"WHERE {where} ORDER BY s.id + 0 {order} LIMIT %(limit)s) "
               f"SELECT {columns} FROM ({q.collection.select}) s JOIN page ON page.id = s.id "
               f"ORDER BY s.id {order}")
    else:
        sql = (f"SELECT {columns} FROM ({q.collection.select}) s WHERE {where} "
               f"ORDER BY s.id {order} LIMIT %(limit)s")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    more = len(rows) > q.limit
    rows = rows[:q.limit]
    if backwards:
        rows.reverse()
    return Page(_features(rows, q.crs), rows[0][0] if rows else None,
                rows[-1][0] if rows else None, more)


def fetch_one(q: ItemsQuery, fid: int) -> str | None:
    """One feature by id, inside the query's scope; None when there is none."""
    where, params = _where(q, keyset=False)
    params["fid"] = fid
    with connection.cursor() as cur:
        cur.execute(f"SELECT s.id, {_geometry_sql(q.crs)}, {_properties_sql(q.collection)} "
                    f"FROM ({q.collection.select}) s WHERE {where} AND s.id = %(fid)s",
                    params)
        rows = cur.fetchall()
    return _features(rows, q.crs)[0] if rows else None


def filtered(q: ItemsQuery) -> bool:
    """Whether ``q`` selects by place, property or time (not every feature)."""
    return q.bbox is not None or bool(q.filters) or q.interval is not None or bool(
        q.scope and q.collection.scope_where)


def estimate(q: ItemsQuery) -> float:
    """The planner's estimate of the features matching ``q``'s filters (all pages)."""
    where, params = _where(q, keyset=False)
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM ({q.collection.select}) s "
                    f"WHERE {where}", params)
        raw = cur.fetchone()[0]
    return float((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]["Plan Rows"])


def count_matched(q: ItemsQuery, expected: float) -> int | None:
    """Features matching ``q``'s filters, or None when ``expected`` says too many to count."""
    if expected > EXACT_COUNT_LIMIT:
        return None
    where, params = _where(q, keyset=False)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM ({q.collection.select}) s WHERE {where}", params)
        return int(cur.fetchone()[0])


def wgs84_box(bbox: tuple[float, float, float, float, int]) -> tuple[float, float, float, float]:
    """A bbox in EPSG ``srid`` as WGS84 degrees (exact for the CRSs offered).

    Web Mercator maps x to longitude and y to latitude one by one, and EPSG:4490 is WGS84
    to the centimetre, so the envelope stays an envelope.
    """
    x1, y1, x2, y2, srid = bbox
    if srid == 4326:
        return x1, y1, x2, y2
    with connection.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
                    "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, %s), 4326) AS e) x",
                    [x1, y1, x2, y2, srid])
        row = cur.fetchone()
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])


def extent(c: Collection) -> list[float] | None:
    """WGS84 [west, south, east, north] of the collection's features, None when empty.

    Measured on tables up to :data:`EXACT_COUNT_LIMIT` rows (milliseconds); above, taken
    from the planner's statistics (a million buildings: no table read), which autovacuum
    keeps current on a table that large.
    """
    if c.id == "pairings":  # lines from a unit to its community: the units' extent is close
        source, column = (f"{c.table} t JOIN {table('CoBuildingUnit')} u ON u.id = t.unit_id",
                          "u.location")
    else:
        source, column = f"{c.table} t", f"t.{c.column}"
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [c.table])
        rows = cur.fetchone()
        row = None
        if c.id != "pairings" and rows and rows[0] > EXACT_COUNT_LIMIT:
            cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                        "(SELECT ST_EstimatedExtent(%s, %s) AS e) x", [c.table, c.column])
            row = cur.fetchone()
        if not row or row[0] is None:
            cur.execute(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                        f"FROM (SELECT ST_Extent({column}) AS e FROM {source}) x")
            row = cur.fetchone()
    if not row or row[0] is None:
        return None
    return [round(float(v), 6) for v in row]


def parse_value(c: Collection, name: str, raw: str) -> Any:
    """A property filter's value in the property's type; ValueError when it is not one."""
    kind = c.properties[name]
    if kind == INTEGER:
        return int(raw)
    if kind == BOOLEAN:
        if raw.lower() not in ("true", "false"):
            raise ValueError(raw)
        return raw.lower() == "true"
    return raw
