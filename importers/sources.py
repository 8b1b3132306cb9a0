"""Read a data steward's file into attribute rows and raw geometries (Django-free).

Formats: GeoJSON, Shapefile (``.shp`` or a ``.zip`` holding one), GeoPackage, KML,
CSV and XLSX. Text encodings: UTF-8, else GB18030 (a superset of GBK and GB2312);
a Shapefile's ``.cpg`` names its encoding. Zips are checked before anything is
unpacked: no paths leaving the folder, no more than ``MAX_MEMBERS`` files, and no
archive that unpacks to far more than it packs (a "zip bomb").
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from .values import is_blank

MAX_MEMBERS = 200
MAX_UNPACKED = 2 * 1024**3
MAX_RATIO = 100  # real GIS files pack 2–20×; a zip bomb packs 1000×
RATIO_FLOOR = 1024**2  # small archives may pack well without harm

KML_OWN = {"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
           "visibility", "drawOrder", "icon", "snippet"}
FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "Shapefile", ".zip": "Shapefile",
           ".gpkg": "GeoPackage", ".kml": "KML", ".kmz": "KML", ".csv": "CSV", ".txt": "CSV",
           ".xlsx": "XLSX"}


class FileRejected(ValueError):
    """The whole file cannot be imported; ``code`` is stable, ``message`` says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SourceTable:
    """Attributes (one row per feature, object dtype) and geometries as read."""

    format: str
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None  # None: geometry comes from lon/lat or WKT columns
    crs: CRS | None = None  # declared by the file (.prj, GeoPackage, GeoJSON "crs")
    encoding: str | None = None
    first_row: int = 1  # number users see for the first data row (2 under a header row)
    notes: list[str] = field(default_factory=list)


def decode(data: bytes, encoding: str | None, what: str) -> tuple[str, str]:
    """Decode ``data`` as ``encoding``, or UTF-8 then GB18030; return (text, encoding)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            hint = ""
            if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
                try:
                    data.decode("gb18030")
                    hint = "; the bytes are valid GBK/GB18030: use --encoding gbk"
                except UnicodeDecodeError:
                    pass
            raise FileRejected("bad_encoding", f"{what} is not valid {encoding} text "
                               f"(byte {exc.start}: {data[exc.start:exc.start + 4]!r}){hint}"
                               ) from exc
        except LookupError as exc:
            raise FileRejected("unknown_encoding", f"unknown text encoding {encoding!r}; "
                               "use utf-8 or gbk") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected("bad_encoding", f"{what} is neither UTF-8 nor GBK/GB18030 text "
                           f"(byte {exc.start}); save it as UTF-8 or pass --encoding") from exc


def read_source(path: Path, layer: str | None = None, encoding: str | None = None,
                header_row: int | None = None) -> SourceTable:
    """Read ``path`` by its suffix. Raise :class:`FileRejected` with the reason."""
    if not path.exists():
        raise FileRejected("not_found", f"{path}: no such file")
    if path.is_dir():
        raise FileRejected("is_directory", f"{path} is a folder; give a file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileRejected("unknown_format", f"{path.name}: unknown format {suffix or '(none)'}; "
                           f"use {', '.join(sorted(set(FORMATS)))}")
    if path.stat().st_size == 0:
        raise FileRejected("empty_file", f"{path.name} is empty (0 bytes)")
    if suffix == ".zip":
        with unpacked_zip(path) as shp:
            return _read_shapefile(shp, encoding)
    if suffix == ".shp":
        return _read_shapefile(path, encoding)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, encoding)
    if suffix == ".csv" or suffix == ".txt":
        return _read_csv(path, encoding)
    if suffix == ".xlsx":
        return _read_xlsx(path, layer, header_row)
    return _read_ogr(path, FORMATS[suffix], layer)


@contextmanager
def unpacked_zip(path: Path) -> Iterator[Path]:
    """Unpack a zipped Shapefile into a temporary folder after checking it; yield the .shp."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FileRejected("bad_zip", f"{path.name} is not a readable zip archive: {exc}") from exc
    with archive, tempfile.TemporaryDirectory(prefix="wangge-zip-") as tmp:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise FileRejected("zip_too_many_files", f"{path.name} holds {len(members)} files; "
                               f"at most {MAX_MEMBERS} are accepted")
        for m in members:
            parts = PurePosixPath(m.filename.replace("\\", "/")).parts
            if m.filename.startswith(("/", "\\")) or ".." in parts or ":" in m.filename:
                raise FileRejected("zip_unsafe_path", f"{path.name}: member {m.filename!r} "
                                   "points outside the archive; refusing to unpack it")
        packed = max(path.stat().st_size, 1)
        declared = sum(m.file_size for m in members)
        if declared > MAX_UNPACKED or (declared > RATIO_FLOOR and declared > MAX_RATIO * packed):
            raise FileRejected("zip_bomb", f"{path.name} unpacks to {declared:,} bytes from "
                               f"{packed:,} ({declared / packed:,.0f}×); refusing an archive "
                               f"over {MAX_RATIO}× or {MAX_UNPACKED:,} bytes")
        shps = [m for m in members if m.filename.lower().endswith(".shp")
                and not PurePosixPath(m.filename).name.startswith(".")]
        if not shps:
            names = ", ".join(m.filename for m in members[:8]) or "nothing"
            raise FileRejected("zip_no_shp", f"{path.name} holds no .shp file (it has {names}); "
                               "zip the .shp with its .shx, .dbf, .prj and .cpg")
        if len(shps) > 1:
            raise FileRejected("zip_many_shp", f"{path.name} holds {len(shps)} .shp files "
                               f"({', '.join(m.filename for m in shps)}); zip one layer")
        root = Path(tmp)
        for m in members:
            target = root / m.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            # Stream with a cap: the sizes in the zip's directory may lie.
            with archive.open(m) as src, open(target, "wb") as dst:
                copied = 0
                while chunk := src.read(1 << 20):
                    copied += len(chunk)
                    if copied > m.file_size:
                        raise FileRejected("zip_bomb", f"{path.name}: {m.filename} unpacks "
                                           "beyond its declared size; refusing it")
                    dst.write(chunk)
        yield root / shps[0].filename


def _read_prj(shp: Path) -> CRS | None:
    prj = shp.with_suffix(".prj")
    if not prj.exists():
        prj = next((p for p in shp.parent.glob("*") if p.name.lower() == shp.stem.lower() + ".prj"),
                   prj)
    if not prj.exists():
        return None
    try:
        return CRS.from_wkt(prj.read_text(errors="replace"))
    except Exception as exc:  # pyproj raises CRSError and others
        raise FileRejected("bad_prj", f"{prj.name} is not a readable projection: {exc}") from exc


def _read_shapefile(shp: Path, encoding: str | None) -> SourceTable:
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        raise FileRejected("shp_no_dbf", f"{shp.name} has no {dbf.name} beside it (attributes)")
    if not shp.with_suffix(".shx").exists():
        raise FileRejected("shp_no_shx", f"{shp.name} has no {shp.with_suffix('.shx').name} "
                           "beside it (index)")
    notes = []
    cpg = shp.with_suffix(".cpg")
    if encoding is None and cpg.exists():
        encoding = cpg.read_text(errors="replace").strip() or None
        notes.append(f"encoding {encoding} from {cpg.name}")
    raw = dbf.read_bytes()
    header_len = int.from_bytes(raw[8:10], "little") if len(raw) > 10 else len(raw)
    _, used = decode(raw[header_len:], encoding, f"{dbf.name}'s text")
    try:
        gdf = pyogrio.read_dataframe(shp, encoding=used.replace("-sig", ""))
    except Exception as exc:  # pyogrio raises DataSourceError and others
        raise FileRejected("unreadable", f"{shp.name} cannot be read: {exc}") from exc
    return _from_gdf("Shapefile", gdf, _read_prj(shp) or gdf.crs, used, notes)


def _from_gdf(fmt: str, gdf: gpd.GeoDataFrame, crs: CRS | None, encoding: str | None,
              notes: list[str] | None = None) -> SourceTable:
    gdf = gdf.reset_index(drop=True)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    return SourceTable(fmt, frame, gpd.GeoSeries(gdf.geometry.values), crs, encoding, 1,
                       notes or [])


def _read_geojson(path: Path, encoding: str | None) -> SourceTable:
    text, used = decode(path.read_bytes(), encoding, path.name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        opened = text.count("{") + text.count("[") - text.count("}") - text.count("]")
        end = " (brackets left open: the file looks truncated)" if opened > 0 else ""
        raise FileRejected("bad_json", f"{path.name} is not valid JSON at line {exc.lineno} "
                           f"column {exc.colno}: {exc.msg}{end}") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise FileRejected("not_geojson", f"{path.name} is JSON but not a GeoJSON "
                           "FeatureCollection")
    crs = None
    named = (data.get("crs") or {}).get("properties", {}).get("name")
    if named:
        try:
            crs = CRS.from_user_input(named)
        except Exception as exc:  # pyproj raises CRSError
            raise FileRejected("bad_crs", f"{path.name}: unknown crs {named!r}: {exc}") from exc
    props, geoms = [], []
    for i, feature in enumerate(data["features"]):
        if not isinstance(feature, dict):
            raise FileRejected("not_geojson", f"{path.name}: feature {i + 1} is not an object")
        props.append(feature.get("properties") or {})
        geoms.append(feature.get("geometry"))
    shapes = []
    for g in geoms:
        try:
            shapes.append(shapely.from_geojson(json.dumps(g)) if g else None)
        except shapely.errors.GEOSException:
            shapes.append(None)
    frame = pd.DataFrame(props).astype(object) if props else pd.DataFrame()
    return SourceTable("GeoJSON", frame, gpd.GeoSeries(shapes), crs, used, 1)


def _read_csv(path: Path, encoding: str | None) -> SourceTable:
    text, used = decode(path.read_bytes(), encoding, path.name)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            sep=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise FileRejected("bad_csv", f"{path.name} is not a readable CSV table: {exc}") from exc
    return SourceTable("CSV", frame.astype(object), None, None, used, 2)


def _read_xlsx(path: Path, sheet: str | None, header_row: int | None = None) -> SourceTable:
    """A sheet as a table; the header is the first row with two or more filled cells.

    Sheets made for printing carry a title row (often merged cells) above the header and
    blank rows below the data; ``header_row`` (1-based, as Excel numbers rows) says where
    the header is when the guess is wrong.
    """
    try:
        raw = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl",
                            header=None)
    except ValueError as exc:
        raise FileRejected("bad_sheet", f"{path.name}: {exc}") from exc
    except Exception as exc:  # openpyxl raises zipfile and XML errors on a broken file
        raise FileRejected("bad_xlsx", f"{path.name} is not a readable XLSX workbook: {exc}"
                           ) from exc
    filled = raw.map(lambda v: not is_blank(v)).to_numpy()
    if header_row is not None:
        if not 1 <= header_row <= len(raw):
            raise FileRejected("bad_header_row", f"{path.name}: --header-row {header_row} is "
                               f"outside the sheet's {len(raw)} rows")
        at = header_row - 1
    else:
        counts = filled.sum(axis=1) if len(raw) else np.array([])
        at = next((i for i, c in enumerate(counts[:20]) if c >= 2), 0)
    header = [str(v).strip() if not is_blank(v) else f"Unnamed: {j}"
              for j, v in enumerate(raw.iloc[at])] if len(raw) else []
    # Blank rows after the last filled one are formatting, not data; blank rows between
    # data rows stay, so that every row keeps the number Excel shows.
    below = np.asarray(filled[at + 1:].any(axis=1) if len(raw) else [], dtype=bool)
    last = int(np.flatnonzero(below)[-1]) + 1 if below.any() else 0
    frame = raw.iloc[at + 1:at + 1 + last].copy()
    frame.columns = header
    notes = [f"header on row {at + 1}; the rows above it were skipped"] if at else []
    if len(below) > last:
        notes.append(f"{len(below) - last} blank rows after the data skipped")
    return SourceTable("XLSX", frame.reset_index(drop=True), None, None, None, at + 2, notes)



def _kml_folders(path: Path, layers: list[str]) -> gpd.GeoDataFrame:
    """Every folder of a KML/KMZ as one table with a ``folder`` column."""
    parts = []
    for name in layers:
        try:
            part = pyogrio.read_dataframe(path, layer=name)
        except Exception as exc:  # pyogrio raises DataSourceError and others
            raise FileRejected("unreadable", f"{path.name}: folder {name!r} cannot be read: "
                               f"{exc}") from exc
        if len(part):
            part.insert(0, "folder", name)
            parts.append(part)
    if not parts:
        raise FileRejected("no_rows", f"{path.name} holds no placemarks")
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _read_ogr(path: Path, fmt: str, layer: str | None) -> SourceTable:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and others
        raise FileRejected("unreadable", f"{path.name} cannot be read as {fmt}: {exc}") from exc
    if layer is None and fmt == "GeoPackage" and len(layers) > 1:
        raise FileRejected("layer_required", f"{path.name} has {len(layers)} layers "
                           f"({', '.join(layers)}); choose one with --layer")
    if layer is not None and layer not in layers:
        raise FileRejected("no_such_layer", f"{path.name} has no layer {layer!r}; layers are "
                           f"{', '.join(layers)}")
    if fmt == "KML" and layer is None and len(layers) > 1:
        # Google Earth keeps placemarks in folders, which GDAL reads as one layer each:
        # read them all, each row with its folder's name (map it with --map X=folder).
        gdf = _kml_folders(path, layers)
    else:
        try:
            gdf = pyogrio.read_dataframe(path, layer=layer or (layers[0] if layers else None))
        except Exception as exc:  # pyogrio raises DataSourceError and others
            raise FileRejected("unreadable", f"{path.name} cannot be read as {fmt}: {exc}"
                               ) from exc
    if fmt == "KML":
        # LIBKML adds KML's own fields; keep a placemark's name and description only
        # when the file fills them.
        gdf = gdf.drop(columns=[c for c in gdf.columns if c in KML_OWN or
                                (c in ("Name", "description") and gdf[c].isna().all())])
    return _from_gdf(fmt, gdf, gdf.crs, "utf-8")
