"""Render one tile of a layer from PostGIS, and each layer's extent."""

from __future__ import annotations

from functools import cache

from django.db import connection

from geo.analysis.rules import RuleProfile, load_profile
from geo.models.scope import scope_table
from geo.models.tables import sql

from .layers import LAYERS, TileLayer, params, tile_sql


@cache
def _sql(name: str, scoped: bool) -> str:
    return tile_sql(LAYERS[name], scoped)


@cache
def tile_profile() -> RuleProfile:
    """The rule profile whose thresholds colour the tiles (the default profile)."""
    return load_profile(None)


def render_tile(layer: TileLayer, z: int, x: int, y: int, scope: str = "",
                size: int = 256) -> bytes:
    """The MVT bytes of one tile; empty when no feature of ``layer`` meets it.

    A non-empty ``scope`` (a hierarchy code) keeps only the features inside it. A tile of
    ``size`` 512 pixels (map libraries' default) is shown one zoom deeper than its ``z``.
    """
    zoom = z + (1 if size == 512 else 0)
    if zoom < layer.minzoom:
        return b""
    profile = tile_profile()
    values = params(layer, z, x, y, profile.facility_ratio_m2_per_100_households,
                    profile.facility_min_m2, tuple(profile.grid_households),  # type: ignore[arg-type]
                    zoom)
    values["scope"] = scope + "%"
    with connection.cursor() as cur:
        cur.execute(_sql(layer.name, bool(scope)), values)
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def tile_meets_scope(z: int, x: int, y: int, scope: str) -> bool:
    """Whether tile z/x/y touches the area of the district, street or community ``scope``."""
    table = scope_table(scope)
    with connection.cursor() as cur:
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE code = %s AND ST_Intersects("
                    "geom, ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326)))", [scope, z, x, y])
        row = cur.fetchone()
    return bool(row and row[0])


def layer_bounds(layer: TileLayer) -> list[float] | None:
    """WGS84 [west, south, east, north] of the layer's features, None when it is empty."""
    table, column = layer.table, layer.column
    if layer.name == "pairings":  # drawn from its unit to its community: the units' extent
        table, column = sql("{CoBuildingUnit} u JOIN {Pairing} p ON p.unit_id = u.id"), "u.location"
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                    f"FROM (SELECT ST_Extent({column}) AS e FROM {table}) s")
        row = cur.fetchone()
    if not row or row[0] is None:
        return None
    return [round(float(v), 6) for v in row]
