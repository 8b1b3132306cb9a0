"""Which coordinate system a file is in, whether its numbers fit it, and the move to WGS84.

Django-free. ``--crs`` wins over what the file declares (``.prj``, GeoPackage,
GeoJSON ``crs``); with neither, WGS84 is assumed and said so. Before converting,
each row's extent is classified: inside China as claimed, projected metres read
as degrees, latitude/longitude swapped, or outside China. When no row fits, the
file stops with the diagnosis and the fix; when some do, the others are row errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.analysis.chinacoords import to_wgs84

from .sources import FileRejected

# Mainland China and its islands, generously (lon_min, lat_min, lon_max, lat_max).
CHINA = (73.4, 3.3, 135.1, 53.6)
OFFSET_SYSTEMS = ("gcj02", "bd09")
NAMED = {"wgs84": 4326, "cgcs2000": 4490}


@dataclass(frozen=True)
class SourceCrs:
    """The coordinate system rows are read in."""

    label: str  # wgs84, cgcs2000, gcj02, bd09 or EPSG:n
    crs: CRS | None  # None for the GCJ-02/BD-09 offsets, which PROJ does not know

    @property
    def geographic(self) -> bool:
        return self.crs is None or self.crs.is_geographic


def parse_crs(option: str) -> SourceCrs:
    """``wgs84|cgcs2000|gcj02|bd09|EPSG:n`` → :class:`SourceCrs`."""
    key = option.strip().lower().replace("-", "").replace("_", "")
    if key in OFFSET_SYSTEMS:
        return SourceCrs(key, None)
    if key in NAMED:
        return SourceCrs(key, CRS.from_epsg(NAMED[key]))
    try:
        crs = CRS.from_user_input(option.strip())
    except CRSError as exc:
        raise FileRejected("bad_crs", f"--crs {option}: not a known coordinate system; use "
                           "wgs84, cgcs2000, gcj02, bd09 or EPSG:n (e.g. EPSG:4527)") from exc
    epsg = crs.to_epsg()
    return SourceCrs(f"EPSG:{epsg}" if epsg else crs.name, crs)


def resolve_crs(option: str | None, declared: CRS | None) -> tuple[SourceCrs, str]:
    """The system to read in and a note saying where it came from."""
    if option:
        chosen = parse_crs(option)
        if declared is not None and chosen.crs is not None and not chosen.crs.equals(declared) \
                and not (chosen.geographic and declared.is_geographic):
            return chosen, f"--crs {chosen.label} overrides the file's {declared.name}"
        return chosen, f"--crs {chosen.label}"
    if declared is not None:
        epsg = declared.to_epsg()
        return SourceCrs(f"EPSG:{epsg}" if epsg else declared.name, declared), \
            f"the file's coordinate system {declared.name}"
    return SourceCrs("wgs84", CRS.from_epsg(4326)), \
        "no coordinate system given or declared: assuming WGS84 (use --crs to say otherwise)"


def cgcs2000_gk_epsg(central_meridian: int, width: int = 3, zone_in_easting: bool = False
                     ) -> int:
    """EPSG code of the CGCS2000 Gauss–Krüger projection with this central meridian.

    China's zones: 3° wide with central meridians 75°E–135°E every 3° (zones 25–45), or 6°
    wide with central meridians 75°E–135°E every 6° (zones 13–23). Each exists twice: with
    the zone number in front of the easting (EPSG 4513–4533, 4491–4501) and without it
    (EPSG 4534–4554, 4502–4512).
    """
    if width == 3 and 75 <= central_meridian <= 135 and central_meridian % 3 == 0:
        zone = central_meridian // 3
        return 4513 + zone - 25 if zone_in_easting else 4534 + (central_meridian - 75) // 3
    if width == 6 and 75 <= central_meridian <= 135 and (central_meridian - 75) % 6 == 0:
        zone = (central_meridian + 3) // 6
        return 4491 + zone - 13 if zone_in_easting else 4502 + (central_meridian - 75) // 6
    raise ValueError(f"no CGCS2000 {width}° Gauss–Krüger zone has central meridian "
                     f"{central_meridian}°E")


def _gk_hint(x: float) -> str:
    """Suggest the CGCS2000 Gauss–Krüger EPSG code for an easting."""
    zone = int(x // 1_000_000)
    if 25 <= zone <= 45:
        return (f" — eastings like {x:,.0f} carry 3° zone {zone}: try --crs "
                f"EPSG:{cgcs2000_gk_epsg(zone * 3, 3, True)}")
    if 13 <= zone <= 23:
        return (f" — eastings like {x:,.0f} carry 6° zone {zone}: try --crs "
                f"EPSG:{cgcs2000_gk_epsg(zone * 6 - 3, 6, True)}")
    examples = ", ".join(f"{cm}°E EPSG:{cgcs2000_gk_epsg(cm)}" for cm in (99, 102, 105, 108,
                                                                           114, 117, 120))
    return (" — without a zone number in the eastings, name the zone by its central meridian "
            f"(CGCS2000 3° zones: {examples}; EPSG = 4534 + (meridian − 75) / 3; 6° zones: "
            f"EPSG = 4502 + (meridian − 75) / 6, e.g. 105°E EPSG:{cgcs2000_gk_epsg(105, 6)})")


def classify(bounds: npt.NDArray[np.float64]) -> npt.NDArray[np.str_]:
    """Per row (minx, miny, maxx, maxy) in claimed degrees: ok, projected, swapped or outside."""
    minx, miny, maxx, maxy = bounds.T
    out = np.full(len(bounds), "ok", dtype="<U9")
    lo0, la0, lo1, la1 = CHINA
    projected = (np.abs(minx) > 180) | (np.abs(maxx) > 180) | (np.abs(miny) > 90) \
        | (np.abs(maxy) > 90)
    inside = (minx >= lo0) & (maxx <= lo1) & (miny >= la0) & (maxy <= la1)
    swapped = (minx >= la0) & (maxx <= la1) & (miny >= lo0) & (maxy <= lo1)
    out[~inside] = "outside"
    out[projected] = "projected"
    out[~inside & swapped] = "swapped"  # latitude 104 is beyond ±90, but swapped says more
    return out


ROW_MESSAGES = {
    "projected": "coordinates ({x:,.0f}, {y:,.0f}) are not degrees: projected metres?",
    "swapped": "coordinates ({x:.5f}, {y:.5f}) look like latitude, longitude: swapped?",
    "outside": "coordinates ({x:.5f}, {y:.5f}) lie outside China",
}


def file_diagnosis(kind: str, bounds: npt.NDArray[np.float64], label: str) -> FileRejected:
    """The file-level error when no row fits the claimed geographic system."""
    minx, miny, maxx, maxy = (float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])),
                              float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3])))
    extent = f"x {minx:,.6g}…{maxx:,.6g}, y {miny:,.6g}…{maxy:,.6g}"
    if kind == "projected":
        return FileRejected("projected_as_degrees", f"coordinates ({extent}) are far beyond "
                            f"degrees, but {label} is longitude/latitude: they look like "
                            f"projected metres{_gk_hint(minx)}")
    if kind == "swapped":
        return FileRejected("lat_lon_swapped", f"coordinates ({extent}) look like latitude "
                            "first, longitude second: swap them (for CSV/XLSX: --map lon=<the "
                            "latitude column> lat=<the longitude column>; else fix the file)")
    return FileRejected("outside_china", f"coordinates ({extent}) lie outside China "
                        f"({CHINA[0]}–{CHINA[2]}°E, {CHINA[1]}–{CHINA[3]}°N) read as {label}: "
                        "is the coordinate system right? (--crs)")


def check_extent(bounds: npt.NDArray[np.float64], source: SourceCrs) -> npt.NDArray[np.str_]:
    """Row classes for a geographic source; raise when no row fits (see module doc)."""
    classes = classify(bounds)
    if not source.geographic:
        if len(bounds) and np.all(np.abs(bounds) <= 180):
            raise FileRejected("degrees_as_projected", f"coordinates lie within ±180, which "
                               f"look like degrees, but {source.label} is in metres: use "
                               "--crs wgs84 (or the file's real system)")
        return np.full(len(bounds), "ok", dtype="<U9")
    if len(classes) and not np.any(classes == "ok"):
        values, counts = np.unique(classes, return_counts=True)
        raise file_diagnosis(str(values[np.argmax(counts)]), bounds, source.label)
    return classes


def to_wgs84_geoms(geoms: npt.NDArray[np.object_], source: SourceCrs) -> npt.NDArray[np.object_]:
    """Move shapely geometries from ``source`` to WGS84 longitude/latitude, 2-D."""
    flat = shapely.force_2d(geoms)
    if source.crs is None:
        def move(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
                 ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
            return to_wgs84(x, y, source.label)
        return shapely.transform(flat, move, interleaved=False)
    if source.crs.equals(CRS.from_epsg(4326)) or source.crs.equals(CRS.from_epsg(4490)):
        return flat  # CGCS2000 and WGS84 differ by well under a millimetre
    fwd = Transformer.from_crs(source.crs, "EPSG:4326", always_xy=True).transform
    return shapely.transform(flat, fwd, interleaved=False)


def post_check(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.str_]:
    """Row classes after conversion from a projected system (outside China or ok)."""
    bounds = shapely.bounds(geoms)
    return classify(np.nan_to_num(bounds, nan=CHINA[0]))
