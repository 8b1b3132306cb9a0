"""Web-Mercator tile arithmetic (Django-free)."""

from __future__ import annotations

import math
from collections.abc import Iterator

MAX_ZOOM = 22
# Features within this share of a tile beyond its edge are drawn in it too (ST_AsMVTGeom buffer).
EXTENT = 4096
BUFFER = 64


def valid_tile(z: int, x: int, y: int) -> bool:
    """Is (z, x, y) a tile of the XYZ scheme up to MAX_ZOOM?"""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional tile coordinates of a WGS84 point at zoom ``z``.

    x = (lon + 180) / 360 · 2^z,  y = (1 − ln(tan φ + sec φ) / π) / 2 · 2^z,
    with latitude clamped to the Web-Mercator limit ±85.0511°.
    """
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    n = 2.0**z
    phi = math.radians(lat)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(phi)) / math.pi) / 2.0 * n
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """WGS84 (west, south, east, north) of a tile."""
    n = 2.0**z

    def lat(ty: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tile_range(bbox: tuple[float, float, float, float], z: int
               ) -> tuple[int, int, int, int]:
    """Inclusive (x0, y0, x1, y1) of the tiles whose buffered extent meets ``bbox``.

    A tile's features include everything within BUFFER/EXTENT of a tile beyond its edge, so
    the range is widened by that share on each side.
    """
    west, south, east, north = bbox
    pad = BUFFER / EXTENT
    fx0, fy0 = tile_xy(west, north, z)
    fx1, fy1 = tile_xy(east, south, z)
    last = 2**z - 1
    return (max(0, math.floor(fx0 - pad)), max(0, math.floor(fy0 - pad)),
            min(last, math.floor(fx1 + pad)), min(last, math.floor(fy1 + pad)))


def tiles_covering(bbox: tuple[float, float, float, float], z: int
                   ) -> Iterator[tuple[int, int]]:
    """Every (x, y) at zoom ``z`` in :func:`tile_range`."""
    x0, y0, x1, y1 = tile_range(bbox, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield x, y
