"""Metric projections for lengths and areas (Django-free); never measure in degrees."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")


def local_equal_area(lon: float, lat: float) -> CRS:
    """Lambert azimuthal equal-area CRS centred on (lon, lat): exact areas nearby."""
    return CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs")


def to_local_metres(geoms: list[BaseGeometry], crs: CRS | None = None) -> list[BaseGeometry]:
    """Project WGS84 geometries to a local equal-area CRS centred on their extent."""
    if not geoms:
        return []
    if crs is None:
        minx = min(g.bounds[0] for g in geoms)
        miny = min(g.bounds[1] for g in geoms)
        maxx = max(g.bounds[2] for g in geoms)
        maxy = max(g.bounds[3] for g in geoms)
        crs = local_equal_area((minx + maxx) / 2, (miny + maxy) / 2)
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
    return [shapely.transform(g, fwd, interleaved=False) for g in geoms]


def from_local_metres(geoms: list[BaseGeometry], crs: CRS) -> list[BaseGeometry]:
    """Inverse of :func:`to_local_metres` for a known local CRS."""
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    return [shapely.transform(g, inv, interleaved=False) for g in geoms]


def extent_crs(geoms: list[BaseGeometry]) -> CRS:
    """The local equal-area CRS :func:`to_local_metres` would pick for ``geoms``."""
    minx = min(g.bounds[0] for g in geoms)
    miny = min(g.bounds[1] for g in geoms)
    maxx = max(g.bounds[2] for g in geoms)
    maxy = max(g.bounds[3] for g in geoms)
    return local_equal_area((minx + maxx) / 2, (miny + maxy) / 2)


def geodesic_matrix(a_lonlat: npt.ArrayLike, b_lonlat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """(A, B) geodesic metres on the WGS84 ellipsoid between two sets of points."""
    a = np.asarray(a_lonlat, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(b_lonlat, dtype=np.float64).reshape(-1, 2)
    if a.size == 0 or b.size == 0:
        return np.zeros((a.shape[0], b.shape[0]))
    n_a, n_b = a.shape[0], b.shape[0]
    dist = GEOD.inv(np.repeat(a[:, 0], n_b), np.repeat(a[:, 1], n_b),
                    np.tile(b[:, 0], n_a), np.tile(b[:, 1], n_a))[2]
    return np.asarray(dist, dtype=np.float64).reshape(n_a, n_b)
