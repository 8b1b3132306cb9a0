"""Write a layer table to GeoJSON, GeoPackage, Shapefile (zipped), KML, CSV or XLSX.

Django-free. Rows arrive as dicts keyed by target name (see ``fields``) with
display values (Chinese choice labels, 是/否); headers are the targets' Chinese
names, except in Shapefiles whose DBF names hold at most 10 bytes (the targets'
short English names, which imports recognise too). Coordinates leave in WGS84 or
are moved to ``crs``: GCJ-02/BD-09 by the published forward formulas, anything
else by PROJ.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.analysis.cells import as_text_cells, inert
from geo.analysis.chinacoords import wgs84_to_bd09, wgs84_to_gcj02
from geo.analysis.projection import to_local_metres

from .coords import parse_crs
from .fields import GEOMETRY_TARGETS, POLYGON_KINDS, targets_of
from .sources import FileRejected

EXPORT_FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG",
                  ".zip": "ESRI Shapefile", ".shp": "ESRI Shapefile", ".kml": "LIBKML",
                  ".csv": "CSV", ".xlsx": "XLSX"}
XLSX_CELL_LIMIT = 32_767
AREA_HEADER = "面积（平方米）"  # sheets only; computed in a local equal-area projection


def move_from_wgs84(geoms: npt.NDArray[np.object_], crs: str) -> tuple[npt.NDArray[np.object_],
                                                                        CRS, str]:
    """Geometries in ``crs``, the CRS to declare, and a note for the user."""
    source = parse_crs(crs)
    if source.crs is None:
        forward = wgs84_to_gcj02 if source.label == "gcj02" else wgs84_to_bd09

        def move(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
                 ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
            return forward(x, y)

        return (shapely.transform(geoms, move, interleaved=False), CRS.from_epsg(4326),
                _("坐标为 %(crs)s（声明为 WGS84：它没有 EPSG 代码）；导入时请用 --crs %(crs)s")
                % {"crs": source.label})
    if source.crs.equals(CRS.from_epsg(4326)):
        return geoms, source.crs, _("坐标为 WGS84")
    if source.crs.equals(CRS.from_epsg(4490)):
        return geoms, source.crs, _("坐标为 CGCS2000（EPSG:4490）")
    fwd = Transformer.from_crs("EPSG:4326", source.crs, always_xy=True).transform
    return shapely.transform(geoms, fwd, interleaved=False), source.crs, \
        _("坐标为 %(crs)s") % {"crs": source.label}


def _headers(kind: str, short: bool) -> dict[str, str]:
    return {t.name: (t.short if short else t.header) for t in targets_of(kind)}


def write_layer(kind: str, rows: list[dict[str, Any]], geoms: list[BaseGeometry], path: Path,
                crs: str = "wgs84") -> str:
    """Write ``rows`` with ``geoms`` (WGS84) to ``path`` by its suffix; return a note."""
    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileRejected("unknown_format", _(
            "%(name)s：不能导出为 %(suffix)s；请用 %(formats)s") % {
                "name": path.name, "suffix": path.suffix or _("（无扩展名）"),
                "formats": ", ".join(sorted(EXPORT_FORMATS))})
    if fmt == "LIBKML" and parse_crs(crs).crs is not None \
            and not parse_crs(crs).crs.is_geographic:  # type: ignore[union-attr]
        raise FileRejected("kml_crs", _("KML 只能存经纬度；请以 wgs84、gcj02 或 bd09 导出 KML"))
    moved, out_crs, note = move_from_wgs84(np.asarray(geoms, dtype=object), crs)
    names = [t.name for t in targets_of(kind) if t not in GEOMETRY_TARGETS
             and not t.import_only]
    frame = pd.DataFrame(rows, columns=names)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "XLSX" and kind in POLYGON_KINDS:
        # A number column also lets GDAL's XLSX driver tell the header from the data: it
        # takes row 1 as the header only when row 2 holds a non-text cell, and a layer of
        # codes and names (districts, streets) had none.
        local = to_local_metres(list(geoms))
        frame[AREA_HEADER] = [round(g.area, 1) for g in local]
    if fmt in ("CSV", "XLSX"):
        _write_sheet(kind, frame, moved, path, fmt, projected=not out_crs.is_geographic)
        return note
    if fmt == "LIBKML":
        # The placemark's own name is what Google Earth and other viewers show.
        frame.insert(0, "Name", frame["name"])
    frame = frame.rename(columns=_headers(kind, fmt == "ESRI Shapefile"))
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(moved), crs=out_crs)
    if fmt == "ESRI Shapefile":
        _write_shapefile(gdf, path, kind)
    else:
        if path.exists():
            path.unlink()
        # GeoPackage 1.3: the newest version Debian 12's GDAL 3.6 reads without a warning
        # (the wheel's newer GDAL would write 1.4).
        options = {"VERSION": "1.3"} if fmt == "GPKG" else {}
        pyogrio.write_dataframe(gdf, path, driver=fmt, layer=kind, dataset_options=options)
    return note


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path, kind: str) -> None:
    if path.suffix.lower() == ".shp":
        pyogrio.write_dataframe(gdf, path, driver="ESRI Shapefile", encoding="UTF-8")
        return
    with tempfile.TemporaryDirectory(prefix="wangge-shp-") as tmp:
        shp = Path(tmp) / f"{kind}.shp"
        pyogrio.write_dataframe(gdf, shp, driver="ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                zf.write(part, part.name)


def _write_sheet(kind: str, frame: pd.DataFrame, geoms: npt.NDArray[np.object_], path: Path,
                 fmt: str, projected: bool = False) -> None:
    lon, lat, wkt = GEOMETRY_TARGETS
    if all(g.geom_type == "Point" for g in geoms):
        frame[lon.name] = [g.x for g in geoms]
        frame[lat.name] = [g.y for g in geoms]
    else:
        frame[wkt.name] = shapely.to_wkt(geoms, rounding_precision=-1)
    headers = _headers(kind, False)
    if projected:  # metres east and north, not longitude and latitude
        headers.update({lon.name: "X", lat.name: "Y"})
    frame = frame.rename(columns=headers)
    if fmt == "CSV":
        frame.map(inert).to_csv(path, index=False, encoding="utf-8-sig")
        # GDAL (QGIS) reads column types from a .csvt beside the file: codes stay text
        # (leading zeros kept), counts numbers, and the WKT column the geometry.
        kinds = {t.header: t.kind for t in targets_of(kind)}
        kinds.update({"X": "float", "Y": "float", wkt.header: "wkt"})
        gdal = {"int": "Integer", "float": "Real", "wkt": "WKT"}
        path.with_suffix(".csvt").write_text(",".join(
            f'"{gdal.get(kinds.get(str(c), "text"), "String")}"' for c in frame.columns))
        return
    too_long = [i for i, g in enumerate(frame.get(wkt.header, [])) if len(str(g)) > XLSX_CELL_LIMIT]
    if too_long:
        raise FileRejected("xlsx_cell_limit", _(
            "%(n)s 个图形超出 Excel 单元格的容量（%(limit)s 个字符）；"
            "请改为导出 GeoPackage 或 GeoJSON")
            % {"n": len(too_long), "limit": f"{XLSX_CELL_LIMIT:,}"})
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = kind
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    as_text_cells(c for row in ws.iter_rows() for c in row)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(40, len(str(col)) * 2 + 2))
    wb.save(path)
