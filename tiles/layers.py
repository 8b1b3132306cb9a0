"""The vector-tile layers: what each one selects, from which zoom, with which attributes.

Each layer is one SQL ``SELECT`` over PostGIS that yields ``geom`` (WGS84) and the
attribute columns; :func:`tile_sql` wraps it in ``ST_AsMVTGeom``/``ST_AsMVT``. Zoom decides
which features are worth drawing (minor roads, small areas and buildings only when zoomed
in) and how much polygons are simplified, so that a city-wide tile stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from geo.models.tables import sql, table

from .tilemath import BUFFER, EXTENT

# Highway classes by the zoom from which they are drawn.
_ROADS_FROM_ZOOM = {
    "trunk": 0, "primary": 0, "secondary": 12, "tertiary": 13,
    "residential": 14, "living_street": 14, "pedestrian": 14, "service": 15,
    "footway": 15, "path": 15, "steps": 16, "other": 15,
}


@dataclass(frozen=True)
class TileLayer:
    """One layer of ``/tiles/{name}/{z}/{x}/{y}.pbf``.

    ``table``/``column`` name the stored geometry (for extents); ``select`` is a query with
    the columns ``geom`` and ``fields``; it may use the parameters of :func:`params`, among
    them ``%(zoom)s``, the zoom the map is shown at (a 512-pixel tile at z is shown at z + 1),
    and the CTE ``env`` of :func:`tile_sql` (``env.wgs``: the buffered tile in WGS84).
    """

    name: str
    title: StrOrPromise
    select: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int = 22
    table: str = ""
    column: str = "geom"
    basemap: bool = False
    simplify: bool = False
    min_pixels: float = 0.0
    depends_on: tuple[str, ...] = field(default_factory=tuple)
    # Staff layers: the condition (on the select's row ``s``, parameter ``%(scope)s`` a code
    # prefix pattern) that keeps only features inside a user's scope.
    scope_where: str = ""


def _hierarchy(table: str, extra: str = "", join: str = "") -> str:
    return f"SELECT t.geom, t.id, t.code, t.name{extra} FROM {table} t {join}"


LAYERS: dict[str, TileLayer] = {layer.name: layer for layer in [
    TileLayer(
        "districts", pgettext_lazy("layer", "区县"), _hierarchy(table("District")),
        {"id": "Number", "code": "String", "name": "String"},
        minzoom=5, table=table("District"), simplify=True),
    TileLayer(
        "streets", pgettext_lazy("layer", "街道"),
        _hierarchy(table("Street"), ", d.code AS district_code",
                   sql("JOIN {District} d ON d.id = t.district_id")),
        {"id": "Number", "code": "String", "name": "String", "district_code": "String"},
        minzoom=9, table=table("Street"), simplify=True),
    TileLayer(
        "communities", pgettext_lazy("layer", "社区"),
        sql("""SELECT t.geom, t.id, t.code, t.name, s.code AS street_code, t.households,
                  t.population, t.party_members, COALESCE(a.area, 0) AS floor_area_m2,
                  COALESCE(a.n, 0) AS centers,
                  CASE WHEN t.households > 0
                       THEN round((COALESCE(a.area, 0) / t.households * 100)::numeric, 2)::float8
                  END AS m2_per_100_households,
                  round(GREATEST(GREATEST(%(ratio)s * t.households / 100.0, %(min_m2)s)
                                 - COALESCE(a.area, 0), 0)::numeric, 1)::float8 AS shortfall_m2,
                  wangge_facility_status(a.area, t.households, a.n::int, %(ratio)s,
                                         %(min_m2)s) AS rule_status
           FROM {Community} t JOIN {Street} s ON s.id = t.street_id
           LEFT JOIN (SELECT community_id, sum(floor_area) AS area, count(*) AS n
                      FROM {ServiceCenter} GROUP BY community_id) a
                  ON a.community_id = t.id"""),
        {"id": "Number", "code": "String", "name": "String", "street_code": "String",
         "households": "Number", "population": "Number", "party_members": "Number",
         "floor_area_m2": "Number", "centers": "Number", "m2_per_100_households": "Number",
         "shortfall_m2": "Number", "rule_status": "String"},
        minzoom=10, table=table("Community"), simplify=True),
    TileLayer(
        "grids", pgettext_lazy("layer", "网格"),
        sql("""SELECT t.geom, t.id, t.code, t.name, c.code AS community_code, t.households,
                  t.households_estimated, t.zone_type, t.leader, t.version,
                  CASE WHEN t.households < %(grid_min)s THEN 'low'
                       WHEN t.households > %(grid_max)s THEN 'high'
                       ELSE 'ok' END AS rule_status
           FROM {GridUnit} t JOIN {Community} c ON c.id = t.community_id"""),
        {"id": "Number", "code": "String", "name": "String", "community_code": "String",
         "households": "Number", "households_estimated": "Boolean", "zone_type": "String",
         "leader": "String", "version": "Number", "rule_status": "String"},
        minzoom=12, table=table("GridUnit")),
    TileLayer(
        "centers", pgettext_lazy("layer", "党群服务中心"),
        sql("""SELECT t.location AS geom, t.id, t.code, t.name, t.level, t.floor_area,
                  t.licensed, t.comprehensive, t.opening_hours, t.phone, t.address
           FROM {ServiceCenter} t
           WHERE %(zoom)s >= 13 OR t.level IN ('district', 'street') OR t.comprehensive"""),
        {"id": "Number", "code": "String", "name": "String", "level": "String",
         "floor_area": "Number", "licensed": "Boolean", "comprehensive": "Boolean",
         "opening_hours": "String", "phone": "String", "address": "String"},
        minzoom=10, table=table("ServiceCenter"), column="location"),
    TileLayer(
        "units", pgettext_lazy("layer", "共建单位"),
        sql("""SELECT t.location AS geom, t.id, t.code, t.name, t.unit_type, t.party_members,
                  t.capacity, t.candidate
           FROM {CoBuildingUnit} t WHERE %(zoom)s >= 15 OR NOT t.candidate"""),
        {"id": "Number", "code": "String", "name": "String", "unit_type": "String",
         "party_members": "Number", "capacity": "Number", "candidate": "Boolean"},
        minzoom=12, table=table("CoBuildingUnit"), column="location",
        # A unit belongs to the community it stands in, as in geo.services.access.
        scope_where=sql("EXISTS (SELECT 1 FROM {Community} c WHERE c.code LIKE %(scope)s "
                    "AND ST_Intersects(c.geom, s.geom))")),
    TileLayer(
        "pairings", pgettext_lazy("layer", "结对共建"),
        sql("""SELECT ST_MakeLine(u.location, COALESCE(
                      (SELECT oc.location FROM {CommunityOwnCenter} oc
                       WHERE oc.community_id = c.id),
                      ST_PointOnSurface(c.geom))) AS geom,
                  t.id, t.status, t.method, t.distance_m, u.name AS unit_name,
                  u.unit_type, c.code AS community_code, c.name AS community_name
           FROM {Pairing} t JOIN {CoBuildingUnit} u ON u.id = t.unit_id
           JOIN {Community} c ON c.id = t.community_id"""),
        {"id": "Number", "status": "String", "method": "String", "distance_m": "Number",
         "unit_name": "String", "unit_type": "String", "community_code": "String",
         "community_name": "String"},
        minzoom=11, table=table("Pairing"), scope_where="s.community_code LIKE %(scope)s"),
    TileLayer(
        "buildings", pgettext_lazy("layer", "楼栋"),
        sql("""SELECT t.geom, t.id, t.name, t.levels, t.residential, t.households,
                  t.households_estimated FROM {Building} t"""),
        {"id": "Number", "name": "String", "levels": "Number", "residential": "Boolean",
         "households": "Number", "households_estimated": "Boolean"},
        minzoom=14, table=table("Building"), basemap=True),
    TileLayer(
        "compounds", pgettext_lazy("layer", "小区"),
        sql("""SELECT t.geom, t.id, t.name, t.households, t.households_estimated
           FROM {Compound} t"""),
        {"id": "Number", "name": "String", "households": "Number",
         "households_estimated": "Boolean"},
        minzoom=13, table=table("Compound"), simplify=True, min_pixels=4),
    TileLayer(
        "roads", pgettext_lazy("layer", "道路"),
        sql("""SELECT t.geom, t.highway, t.name FROM {WalkEdge} t
           WHERE %(zoom)s >= CASE t.highway """)
        + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _ROADS_FROM_ZOOM.items())
        + " ELSE 16 END",
        {"highway": "String", "name": "String"},
        minzoom=8, table=table("WalkEdge"), basemap=True, simplify=True),
    TileLayer(
        "water", pgettext_lazy("layer", "水体"),
        sql("SELECT t.geom, t.name FROM {LandFeature} t WHERE t.kind = 'water'"),
        {"name": "String"},
        minzoom=8, table=table("LandFeature"), basemap=True, simplify=True, min_pixels=2),
    TileLayer(
        "landuse", pgettext_lazy("layer", "用地"),
        sql("SELECT t.geom, t.kind, t.name FROM {LandFeature} t WHERE t.kind <> 'water'"),
        {"kind": "String", "name": "String"},
        minzoom=11, table=table("LandFeature"), basemap=True, simplify=True, min_pixels=3),
    TileLayer(
        # One label point per district, street and community (the centre of its largest
        # inscribed circle, where a name reads as belonging to the area) and per service
        # center: a map library places each name once, never cut at a tile edge.
        # The label point lies inside its area, so only areas meeting the tile (``env``, the
        # buffered envelope tile_sql defines) can have one in it: the circle is computed for
        # those alone, not for a city's 2,025 communities on every tile (780 ms at z14).
        "places", pgettext_lazy("layer", "地名"),
        sql("""SELECT (ST_MaximumInscribedCircle(t.geom)).center AS geom, 'district' AS kind,
                      t.code, t.name, 6 AS rank FROM {District} t
               WHERE t.geom && (SELECT wgs FROM env)
               UNION ALL
               SELECT (ST_MaximumInscribedCircle(t.geom)).center, 'street', t.code, t.name, 9
               FROM {Street} t WHERE %(zoom)s >= 11 AND t.geom && (SELECT wgs FROM env)
               UNION ALL
               SELECT (ST_MaximumInscribedCircle(t.geom)).center, 'community', t.code,
                      t.name, 12 FROM {Community} t
               WHERE %(zoom)s >= 13 AND t.geom && (SELECT wgs FROM env)
               UNION ALL
               SELECT t.location, 'center', t.code, t.name, 15 FROM {ServiceCenter} t
               WHERE %(zoom)s >= 15 AND t.location && (SELECT wgs FROM env)"""),
        {"kind": "String", "code": "String", "name": "String", "rank": "Number"},
        minzoom=8, table=table("Community")),
]}

# The layers of the offline basemap, bottom to top; "places" holds its labels.
BASEMAP_LAYERS = ("landuse", "water", "roads", "buildings", "places")


def pixel_degrees(z: int) -> float:
    """Degrees of longitude covered by one pixel of a 256-pixel tile at zoom ``z``."""
    return 360.0 / (256 * 2**z)


def tile_sql(layer: TileLayer, scoped: bool = False) -> str:
    """The SQL giving one MVT tile of ``layer`` (parameters from :func:`params`).

    ``scoped`` keeps only the features inside a scope (``layer.scope_where``, with the
    parameter ``scope``: a code prefix followed by ``%``).

    Features are selected with the index (``&&``) against the tile envelope widened by the
    buffer, simplified by one pixel when the layer allows it, dropped when their bounding box
    spans fewer than ``min_pixels`` pixels, then clipped and quantised by ``ST_AsMVTGeom``.
    """
    geom = "ST_Simplify(f.geom, %(tolerance)s, true)" if layer.simplify else "f.geom"
    size = ("AND (ST_XMax(f.geom) - ST_XMin(f.geom)) + (ST_YMax(f.geom) - ST_YMin(f.geom))"
            " >= %(min_size)s" if layer.min_pixels else "")
    attrs = ", ".join(f"f.{name}" for name in layer.fields)
    select = layer.select
    if scoped:
        if not layer.scope_where:
            raise ValueError(f"layer {layer.name} has no scope condition")
        select = f"SELECT * FROM ({layer.select}) s WHERE {layer.scope_where}"
    return f"""
        WITH env AS (
            SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS merc,
                   ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s,
                                                margin => {BUFFER / EXTENT}), 4326) AS wgs
        ), f AS ({select}), mvt AS (
            SELECT ST_AsMVTGeom(ST_Transform({geom}, 3857), env.merc, {EXTENT}, {BUFFER}, true)
                       AS geom, {attrs}
            FROM f, env
            WHERE f.geom && env.wgs {size}
        )
        SELECT ST_AsMVT(mvt.*, %(layer)s, {EXTENT}, 'geom') FROM mvt WHERE mvt.geom IS NOT NULL
    """


def params(layer: TileLayer, z: int, x: int, y: int, ratio: float, min_m2: float,
           grid_range: tuple[int, int], zoom: int | None = None) -> dict[str, Any]:
    """Parameters of :func:`tile_sql` for one tile under a rule profile's thresholds.

    ``zoom`` is the zoom the tile is shown at (default ``z``; ``z + 1`` for 512-pixel tiles):
    it decides which features are drawn and simplifies by one of its pixels.
    """
    zoom = z if zoom is None else zoom
    px = pixel_degrees(zoom)
    return {"z": z, "x": x, "y": y, "zoom": zoom, "layer": layer.name, "tolerance": px,
            "min_size": px * layer.min_pixels, "ratio": ratio, "min_m2": min_m2,
            "grid_min": grid_range[0], "grid_max": grid_range[1]}
