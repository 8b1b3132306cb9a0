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
from django.utils.translation import gettext as _
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
                    hint = _("；这些字节是有效的 GBK/GB18030：请用 --encoding gbk")
                except UnicodeDecodeError:
                    pass
            raise FileRejected("bad_encoding", _(
                "%(what)s 不是有效的 %(encoding)s 文本（第 %(at)s 字节：%(bytes)r）%(hint)s") % {
                    "what": what, "encoding": encoding, "at": exc.start,
                    "bytes": data[exc.start:exc.start + 4], "hint": hint}) from exc
        except LookupError as exc:
            raise FileRejected("unknown_encoding",
                               _("未知的文本编码 %(encoding)r；请用 utf-8 或 gbk")
                               % {"encoding": encoding}) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected("bad_encoding", _(
            "%(what)s 既不是 UTF-8 也不是 GBK/GB18030 文本（第 %(at)s 字节）；"
            "请另存为 UTF-8，或用 --encoding 指明编码") % {"what": what, "at": exc.start}) from exc


def read_source(path: Path, layer: str | None = None, encoding: str | None = None,
                header_row: int | None = None) -> SourceTable:
    """Read ``path`` by its suffix. Raise :class:`FileRejected` with the reason."""
    if not path.exists():
        raise FileRejected("not_found", _("%(path)s：文件不存在") % {"path": path})
    if path.is_dir():
        raise FileRejected("is_directory", _("%(path)s 是文件夹；请给出文件") % {"path": path})
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileRejected("unknown_format", _(
            "%(name)s：不支持的格式 %(suffix)s；请用 %(formats)s") % {
                "name": path.name, "suffix": suffix or _("（无扩展名）"),
                "formats": ", ".join(sorted(set(FORMATS)))})
    if path.stat().st_size == 0:
        raise FileRejected("empty_file", _("%(name)s 是空文件（0 字节）") % {"name": path.name})
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
        raise FileRejected("bad_zip", _("%(name)s 不是可读取的 zip 压缩包：%(error)s") % {
            "name": path.name, "error": exc}) from exc
    with archive, tempfile.TemporaryDirectory(prefix="wangge-zip-") as tmp:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise FileRejected("zip_too_many_files", _(
                "%(name)s 含有 %(n)s 个文件；最多接受 %(max)s 个") % {
                    "name": path.name, "n": len(members), "max": MAX_MEMBERS})
        for m in members:
            parts = PurePosixPath(m.filename.replace("\\", "/")).parts
            if m.filename.startswith(("/", "\\")) or ".." in parts or ":" in m.filename:
                raise FileRejected("zip_unsafe_path", _(
                    "%(name)s：成员 %(member)r 指向压缩包之外；拒绝解压") % {
                        "name": path.name, "member": m.filename})
        packed = max(path.stat().st_size, 1)
        declared = sum(m.file_size for m in members)
        if declared > MAX_UNPACKED or (declared > RATIO_FLOOR and declared > MAX_RATIO * packed):
            raise FileRejected("zip_bomb", _(
                "%(name)s 由 %(packed)s 字节解压为 %(declared)s 字节（%(ratio)s 倍）；"
                "拒绝超过 %(max_ratio)s 倍或 %(max)s 字节的压缩包") % {
                    "name": path.name, "packed": f"{packed:,}", "declared": f"{declared:,}",
                    "ratio": f"{declared / packed:,.0f}", "max_ratio": MAX_RATIO,
                    "max": f"{MAX_UNPACKED:,}"})
        shps = [m for m in members if m.filename.lower().endswith(".shp")
                and not PurePosixPath(m.filename).name.startswith(".")]
        if not shps:
            names = ", ".join(m.filename for m in members[:8]) or "—"
            raise FileRejected("zip_no_shp", _(
                "%(name)s 中没有 .shp 文件（其中有 %(names)s）；请将 .shp 与其 .shx、.dbf、.prj、"
                ".cpg 一起压缩") % {"name": path.name, "names": names})
        if len(shps) > 1:
            raise FileRejected("zip_many_shp", _(
                "%(name)s 中有 %(n)s 个 .shp 文件（%(names)s）；请只压缩一个图层") % {
                    "name": path.name, "n": len(shps),
                    "names": ", ".join(m.filename for m in shps)})
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
                        raise FileRejected("zip_bomb", _(
                            "%(name)s：%(member)s 解压后超出其声明的大小；拒绝解压") % {
                                "name": path.name, "member": m.filename})
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
        raise FileRejected("bad_prj", _("%(name)s 不是可读取的投影定义：%(error)s") % {
            "name": prj.name, "error": exc}) from exc


def _read_shapefile(shp: Path, encoding: str | None) -> SourceTable:
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        raise FileRejected("shp_no_dbf", _("%(name)s 旁边没有 %(dbf)s（属性表）") % {
            "name": shp.name, "dbf": dbf.name})
    if not shp.with_suffix(".shx").exists():
        raise FileRejected("shp_no_shx", _("%(name)s 旁边没有 %(shx)s（索引）") % {
            "name": shp.name, "shx": shp.with_suffix(".shx").name})
    notes = []
    cpg = shp.with_suffix(".cpg")
    if encoding is None and cpg.exists():
        encoding = cpg.read_text(errors="replace").strip() or None
        notes.append(_("编码 %(encoding)s 取自 %(file)s") % {"encoding": encoding,
                                                             "file": cpg.name})
    raw = dbf.read_bytes()
    header_len = int.from_bytes(raw[8:10], "little") if len(raw) > 10 else len(raw)
    _text, used = decode(raw[header_len:], encoding, _("%(file)s 中的文本") % {"file": dbf.name})
    try:
        gdf = pyogrio.read_dataframe(shp, encoding=used.replace("-sig", ""))
    except Exception as exc:  # pyogrio raises DataSourceError and others
        raise FileRejected("unreadable", _("无法读取 %(name)s：%(error)s") % {
            "name": shp.name, "error": exc}) from exc
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
        end = _("（括号未闭合：文件似乎不完整）") if opened > 0 else ""
        raise FileRejected("bad_json", _(
            "%(name)s 在第 %(line)s 行第 %(col)s 列不是有效的 JSON：%(error)s%(end)s") % {
                "name": path.name, "line": exc.lineno, "col": exc.colno, "error": exc.msg,
                "end": end}) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise FileRejected("not_geojson", _(
            "%(name)s 是 JSON，但不是 GeoJSON 要素集合（FeatureCollection）") % {"name": path.name})
    crs = None
    named = (data.get("crs") or {}).get("properties", {}).get("name")
    if named:
        try:
            crs = CRS.from_user_input(named)
        except Exception as exc:  # pyproj raises CRSError
            raise FileRejected("bad_crs", _("%(name)s：未知的坐标系 %(crs)r：%(error)s") % {
                "name": path.name, "crs": named, "error": exc}) from exc
    props, geoms = [], []
    for i, feature in enumerate(data["features"]):
        if not isinstance(feature, dict):
            raise FileRejected("not_geojson", _("%(name)s：第 %(n)s 个要素不是对象") % {
                "name": path.name, "n": i + 1})
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
        raise FileRejected("bad_csv", _("%(name)s 不是可读取的 CSV 表格：%(error)s") % {
            "name": path.name, "error": exc}) from exc
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
        raise FileRejected("bad_sheet", _("%(name)s：无法读取工作表（%(error)s）") % {
            "name": path.name, "error": exc}) from exc
    except Exception as exc:  # openpyxl raises zipfile and XML errors on a broken file
        raise FileRejected("bad_xlsx", _("%(name)s 不是可读取的 XLSX 工作簿：%(error)s") % {
            "name": path.name, "error": exc}) from exc
    filled = raw.map(lambda v: not is_blank(v)).to_numpy()
    if header_row is not None:
        if not 1 <= header_row <= len(raw):
            raise FileRejected("bad_header_row", _(
                "%(name)s：--header-row %(row)s 超出了工作表的 %(n)s 行") % {
                    "name": path.name, "row": header_row, "n": len(raw)})
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
    notes = [_("表头在第 %(row)s 行，其上各行已跳过") % {"row": at + 1}] if at else []
    if len(below) > last:
        notes.append(_("已跳过数据之后的 %(n)s 个空行") % {"n": len(below) - last})
    return SourceTable("XLSX", frame.reset_index(drop=True), None, None, None, at + 2, notes)



def _kml_folders(path: Path, layers: list[str]) -> gpd.GeoDataFrame:
    """Every folder of a KML/KMZ as one table with a ``folder`` column."""
    parts = []
    for name in layers:
        try:
            part = pyogrio.read_dataframe(path, layer=name)
        except Exception as exc:  # pyogrio raises DataSourceError and others
            raise FileRejected("unreadable", _("%(file)s：无法读取文件夹 %(folder)r：%(error)s") % {
                "file": path.name, "folder": name, "error": exc}) from exc
        if len(part):
            part.insert(0, "folder", name)
            parts.append(part)
    if not parts:
        raise FileRejected("no_rows", _("%(name)s 中没有地标") % {"name": path.name})
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _read_ogr(path: Path, fmt: str, layer: str | None) -> SourceTable:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and others
        raise FileRejected("unreadable", _("无法按 %(format)s 读取 %(name)s：%(error)s") % {
            "format": fmt, "name": path.name, "error": exc}) from exc
    if layer is None and fmt == "GeoPackage" and len(layers) > 1:
        raise FileRejected("layer_required", _(
            "%(name)s 有 %(n)s 个图层（%(layers)s）；请用 --layer 选择一个") % {
                "name": path.name, "n": len(layers), "layers": ", ".join(layers)})
    if layer is not None and layer not in layers:
        raise FileRejected("no_such_layer", _(
            "%(name)s 中没有图层 %(layer)r；现有图层为 %(layers)s") % {
                "name": path.name, "layer": layer, "layers": ", ".join(layers)})
    if fmt == "KML" and layer is None and len(layers) > 1:
        # Google Earth keeps placemarks in folders, which GDAL reads as one layer each:
        # read them all, each row with its folder's name (map it with --map X=folder).
        gdf = _kml_folders(path, layers)
    else:
        try:
            gdf = pyogrio.read_dataframe(path, layer=layer or (layers[0] if layers else None))
        except Exception as exc:  # pyogrio raises DataSourceError and others
            raise FileRejected("unreadable", _("无法按 %(format)s 读取 %(name)s：%(error)s") % {
                "format": fmt, "name": path.name, "error": exc}) from exc
    if fmt == "KML":
        # LIBKML adds KML's own fields; keep a placemark's name and description only
        # when the file fills them.
        gdf = gdf.drop(columns=[c for c in gdf.columns if c in KML_OWN or
                                (c in ("Name", "description") and gdf[c].isna().all())])
    return _from_gdf(fmt, gdf, gdf.crs, "utf-8")
