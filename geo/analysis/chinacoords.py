"""GCJ-02 (Amap, Tencent) and BD-09 (Baidu) to and from WGS84 (Django-free, vectorised).

The forward transforms are the published obfuscation formulas. Their inverses have no
closed form; a one-step inverse (subtract the offset measured at the offset point) is
1–2 m off. Here the inverse is a fixed-point iteration

    w_{k+1} = w_k − (F(w_k) − g)

which converges because F is the identity plus a slowly varying offset; it stops when
|F(w) − g| < 1e-9° (≈ 0.1 mm). Outside mainland China no offset applies (the usual
bounding-box test, as the formulas' authors define it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[np.float64]

_A = 6378245.0
_EE = 0.00669342162296594323
_XPI = np.pi * 3000.0 / 180.0


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the GCJ-02 offset applies (mainland China's bounding box)."""
    lo, la = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    return (lo >= 72.004) & (lo <= 137.8347) & (la >= 0.8293) & (la <= 55.8271)


def _offset(lon: Arr, lat: Arr) -> tuple[Arr, Arr]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * np.pi)
    dlon = (dlon * 180.0) / (_A / sq * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """WGS84 to GCJ-02 (points outside China unchanged)."""
    lo, la = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    dlon, dlat = _offset(lo, la)
    inside = in_china(lo, la)
    return np.where(inside, lo + dlon, lo), np.where(inside, la + dlat, la)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """GCJ-02 to BD-09 (Baidu)."""
    x, y = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _XPI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _XPI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """Iterative inverse of :func:`gcj02_to_bd09`."""
    return _invert(gcj02_to_bd09, np.asarray(lon, dtype=np.float64),
                   np.asarray(lat, dtype=np.float64))


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """WGS84 to BD-09, through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """Iterative inverse of :func:`wgs84_to_gcj02`; round trip within 1e-9°."""
    return _invert(wgs84_to_gcj02, np.asarray(lon, dtype=np.float64),
                   np.asarray(lat, dtype=np.float64))


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Arr, Arr]:
    """BD-09 to WGS84, through GCJ-02 (both inverted iteratively)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _invert(forward: Callable[[Arr, Arr], tuple[Arr, Arr]], lon: Arr, lat: Arr, tol: float = 1e-9,
            max_iter: int = 30) -> tuple[Arr, Arr]:
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        flon, flat = forward(wlon, wlat)
        elon, elat = flon - lon, flat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return wlon, wlat


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> tuple[Arr, Arr]:
    """Convert from ``wgs84``, ``cgcs2000`` (same to < 1 mm), ``gcj02`` or ``bd09``."""
    key = crs.lower().replace("-", "")
    lo, la = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    if key in ("wgs84", "cgcs2000", "epsg:4326", "epsg:4490"):
        return lo, la
    if key == "gcj02":
        return gcj02_to_wgs84(lo, la)
    if key == "bd09":
        return bd09_to_wgs84(lo, la)
    raise ValueError(f"unknown coordinate system {crs!r}: use wgs84, cgcs2000, gcj02 or bd09")
