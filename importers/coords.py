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
from django.utils.translation import gettext as _
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
        raise FileRejected("bad_crs", _(
            "--crs %(option)s：不是已知的坐标系；请用 wgs84、cgcs2000、gcj02、bd09 或 EPSG:n"
            "（例如 EPSG:4527）") % {"option": option}) from exc
    epsg = crs.to_epsg()
    return SourceCrs(f"EPSG:{epsg}" if epsg else crs.name, crs)


def resolve_crs(option: str | None, declared: CRS | None) -> tuple[SourceCrs, str]:
    """The system to read in and a note saying where it came from."""
    if option:
        chosen = parse_crs(option)
        if declared is not None and chosen.crs is not None and not chosen.crs.equals(declared) \
                and not (chosen.geographic and declared.is_geographic):
            return chosen, _("--crs %(crs)s（取代文件声明的 %(declared)s）") % {
                "crs": chosen.label, "declared": declared.name}
        return chosen, f"--crs {chosen.label}"
    if declared is not None:
        epsg = declared.to_epsg()
        return SourceCrs(f"EPSG:{epsg}" if epsg else declared.name, declared), \
            _("文件声明的坐标系 %(crs)s") % {"crs": declared.name}
    return SourceCrs("wgs84", CRS.from_epsg(4326)), \
        _("未指定也未声明坐标系：按 WGS84 读取（如不是，请用 --crs 指明）")


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
        return _("——%(x)s 这样的东坐标带有 3° 带号 %(zone)s：请试 --crs EPSG:%(epsg)s") % {
            "x": f"{x:,.0f}", "zone": zone, "epsg": cgcs2000_gk_epsg(zone * 3, 3, True)}
    if 13 <= zone <= 23:
        return _("——%(x)s 这样的东坐标带有 6° 带号 %(zone)s：请试 --crs EPSG:%(epsg)s") % {
            "x": f"{x:,.0f}", "zone": zone, "epsg": cgcs2000_gk_epsg(zone * 6 - 3, 6, True)}
    examples = ", ".join(f"{cm}°E EPSG:{cgcs2000_gk_epsg(cm)}" for cm in (99, 102, 105, 108,
                                                                           114, 117, 120))
    return _("——东坐标中没有带号时，请按中央经线指明投影带（CGCS2000 3° 带：%(examples)s；"
             "EPSG = 4534 + (中央经线 − 75) / 3；6° 带：EPSG = 4502 + (中央经线 − 75) / 6，"
             "例如 105°E EPSG:%(six)s）") % {"examples": examples,
                                            "six": cgcs2000_gk_epsg(105, 6)}


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


def row_message(check: str, x: float, y: float) -> str:
    """Why one row's coordinates do not fit (``check`` from :func:`classify`)."""
    if check == "projected":
        return _("坐标（%(x)s, %(y)s）不是经纬度：是投影坐标（米）吗？") % {
            "x": f"{x:,.0f}", "y": f"{y:,.0f}"}
    if check == "swapped":
        return _("坐标（%(x)s, %(y)s）像是纬度在前、经度在后：是否填反了？") % {
            "x": f"{x:.5f}", "y": f"{y:.5f}"}
    return _("坐标（%(x)s, %(y)s）在中国境外") % {"x": f"{x:.5f}", "y": f"{y:.5f}"}


def file_diagnosis(kind: str, bounds: npt.NDArray[np.float64], label: str) -> FileRejected:
    """The file-level error when no row fits the claimed geographic system."""
    minx, miny, maxx, maxy = (float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])),
                              float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3])))
    extent = f"x {minx:,.6g}…{maxx:,.6g}, y {miny:,.6g}…{maxy:,.6g}"
    if kind == "projected":
        return FileRejected("projected_as_degrees", _(
            "坐标（%(extent)s）远超经纬度的范围，而 %(label)s 是经纬度："
            "它们像是投影坐标（米）%(hint)s")
            % {"extent": extent, "label": label, "hint": _gk_hint(minx)})
    if kind == "swapped":
        return FileRejected("lat_lon_swapped", _(
            "坐标（%(extent)s）像是纬度在前、经度在后：请对调（CSV/XLSX 可用 --map lon=<纬度列> "
            "lat=<经度列>；其他格式请修正文件）") % {"extent": extent})
    return FileRejected("outside_china", _(
        "按 %(label)s 读取，坐标（%(extent)s）在中国境外（东经 %(w)s–%(e)s°，北纬 %(s)s–%(n)s°）："
        "坐标系是否正确？（--crs）") % {"extent": extent, "label": label, "w": CHINA[0],
                                      "e": CHINA[2], "s": CHINA[1], "n": CHINA[3]})


def check_extent(bounds: npt.NDArray[np.float64], source: SourceCrs) -> npt.NDArray[np.str_]:
    """Row classes for a geographic source; raise when no row fits (see module doc)."""
    classes = classify(bounds)
    if not source.geographic:
        if len(bounds) and np.all(np.abs(bounds) <= 180):
            raise FileRejected("degrees_as_projected", _(
                "坐标都在 ±180 以内，像是经纬度，而 %(label)s 以米为单位：请用 --crs wgs84"
                "（或文件真正的坐标系）") % {"label": source.label})
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
