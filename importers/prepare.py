"""From a file to clean records in WGS84, with every problem found (Django-free).

:func:`prepare` reads the file, maps its columns, builds geometries (from the
file, lon/lat columns or a WKT column), checks the coordinates against the claimed
system, converts to WGS84, parses every value and validates every geometry. Rows
with problems are reported and kept out of ``records``; whether anything is
written is the caller's decision (all or nothing by default).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry.base import BaseGeometry

from . import coords
from .estimate import fill_building_households
from .fields import (
    FIELDS,
    GEOMETRY_TARGETS,
    POLYGON_KINDS,
    FieldMap,
    column_label,
    kind_noun,
    map_fields,
    normalise,
)
from .geometry import GeometryProblem, clean_geometry, family
from .sources import FileRejected, SourceTable, read_source
from .values import ValueProblem, is_blank, parse

Progress = Callable[[int], None]
MASKABLE = ("phone", "id_number")  # exports mask them; a masked value is no value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (``row`` None: the whole file)."""

    row: int | None
    field: str
    code: str
    message: str

    def line(self) -> str:
        where = _("第 %(row)s 行") % {"row": self.row} if self.row is not None else _("文件")
        return f"{where} [{self.field or '-'}] {self.code}: {self.message}"


@dataclass
class Record:
    """A row ready to write: parsed values and a WGS84 geometry."""

    row: int
    values: dict[str, Any]
    geom: BaseGeometry


@dataclass
class Prepared:
    """Everything :func:`prepare` learnt about a file."""

    kind: str
    source_format: str
    encoding: str | None
    crs_note: str
    mapping: FieldMap
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Options:
    """How to read a file; defaults suit a UTF-8 GeoJSON in WGS84."""

    crs: str | None = None
    layer: str | None = None
    encoding: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None  # XLSX: the header's row number when the guess is wrong


def _geometries(table: SourceTable, fmap: FieldMap, first_row: int,
                problems: list[Problem]) -> np.ndarray:
    """Geometries from the file, else from lon/lat or WKT columns (``None`` where bad)."""
    n = len(table.frame)
    if table.geometry is not None:
        return np.asarray(table.geometry.values, dtype=object)
    cols = fmap.columns
    out = np.full(n, None, dtype=object)
    lon_t, lat_t, _wkt_t = GEOMETRY_TARGETS
    if "lon" in cols and "lat" in cols:
        for i, (lo, la) in enumerate(zip(table.frame[cols["lon"]], table.frame[cols["lat"]],
                                         strict=True)):
            try:
                x, y = parse(lon_t, lo), parse(lat_t, la)
            except ValueProblem as exc:
                problems.append(Problem(first_row + i, "lon/lat", exc.code, exc.message))
                continue
            if x is None or y is None:
                problems.append(Problem(first_row + i, "lon/lat", "no_geometry",
                                        _("经度或纬度为空")))
                continue
            out[i] = shapely.Point(x, y)
        return out
    if "wkt" in cols:
        for i, text in enumerate(table.frame[cols["wkt"]]):
            if is_blank(text):
                problems.append(Problem(first_row + i, "wkt", "no_geometry", _("WKT 为空")))
                continue
            try:
                out[i] = shapely.from_wkt(str(text))
            except shapely.errors.GEOSException as exc:
                problems.append(Problem(first_row + i, "wkt", "bad_wkt",
                                        _("无法读取的 WKT：%(error)s") % {"error": exc}))
        return out
    raise FileRejected("no_geometry", _(
        "没有几何：文件中既没有图形，也没有经度/纬度（lon/lat）或 WKT 列；现有的列为 %(columns)s。"
        "请用 --map lon=… lat=… 或 --map wkt=… 指明") % {
            "columns": ", ".join(map(str, table.frame.columns))})


# Other longitude columns a table may carry beside the one read (x1, lng_gcj, 经度2 …).
_OTHER_LON = re.compile(r"^(x|lon|lng|long|longitude|经度)(\d+|gcj\w*|bd\w*|wgs\w*|84|02|09)$")


def _coordinate_notes(table: SourceTable, fmap: FieldMap, geoms: np.ndarray,
                      present: np.ndarray) -> list[str]:
    """Drop heights (Z) in place, and say so; say which coordinate pair was read."""
    notes = []
    with_z = np.array([bool(shapely.has_z(g)) if p else False for g, p in zip(
        geoms, present, strict=True)])
    if with_z.any():
        geoms[with_z] = shapely.force_2d(geoms[with_z])
        notes.append(_("%(n)s 行带有高程（Z 值），已去除：图形按平面存储") % {
            "n": int(with_z.sum())})
    chosen = fmap.columns.get("lon")
    if chosen is not None:
        others = [str(c) for c in table.frame.columns
                  if str(c) != chosen and _OTHER_LON.match(normalise(str(c)))]
        if others:
            notes.append(_(
                "注意：坐标取自 %(lon)s/%(lat)s 列，但文件中还有 %(others)s：如果您所指定坐标系的"
                "坐标在那些列中，请用 --map lon=… --map lat=… 指明") % {
                    "lon": chosen, "lat": fmap.columns["lat"], "others": ", ".join(others)})
    return notes


def _count_shapes(family_name: str, n: int) -> str:
    """"3 个点" / "3 points": how many shapes of one family a file holds."""
    values = {"n": f"{n:,}"}
    if family_name == "point":
        return ngettext("%(n)s 个点", "%(n)s 个点", n) % values
    if family_name == "line":
        return ngettext("%(n)s 条线", "%(n)s 条线", n) % values
    return ngettext("%(n)s 个多边形", "%(n)s 个多边形", n) % values


def _check_family(kind: str, geoms: np.ndarray) -> None:
    """Refuse a file whose shapes are all of the wrong kind (points given as communities)."""
    fams = [family(g) for g in geoms if g is not None and not g.is_empty]
    if not fams:
        return
    want = "polygon" if kind in POLYGON_KINDS else "point"
    if not any(f == want or (want == "point" and f == "polygon") for f in fams):
        found = pd.Series(fams).value_counts()
        what = _("、").join(_count_shapes(str(f), int(c)) for f, c in found.items())
        raise FileRejected("wrong_geometry_type", (
            _("每个%(kind)s需要一个多边形，但文件中是 %(what)s；"
              "这是党群服务中心、共建单位或党员的图层吗？")
            if want == "polygon" else
            _("每个%(kind)s需要一个点，但文件中是 %(what)s；"
              "这是区县、街道、社区、网格、楼栋或小区的图层吗？"))
            % {"kind": kind_noun(kind), "what": what})


@dataclass
class _Shapes:
    """Each row's geometry as read, as moved to WGS84, and its coordinate check."""

    read: np.ndarray
    wgs84: np.ndarray
    checks: np.ndarray


def _row_values(prepared: Prepared, targets: list[Any], columns: dict[str, Any], i: int,
                row: int, encoding: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """The parsed values of row ``i`` and what is wrong with them."""
    kind = prepared.kind
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for t in targets:
        try:
            values[t.name] = parse(t, columns[t.name][i])
        except ValueProblem as exc:
            problems.append(Problem(row, t.name, exc.code, exc.message))
            continue
        if isinstance(values[t.name], str) and "\ufffd" in values[t.name]:
            problems.append(Problem(row, t.name, "garbled_text", _(
                "%(column)s %(value)r 按 %(encoding)s 解码时丢失了字符（�）：请给出文件的编码，"
                "例如 --encoding gbk 或 gb18030，或修正源文件") % {
                    "column": column_label(t), "value": values[t.name],
                    "encoding": encoding or "UTF-8"}))
            continue
        if (t.name in MASKABLE or (kind == "members" and t.name == "name")) and \
                values[t.name] and "*" in values[t.name]:
            problems.append(Problem(row, t.name, "masked_value", _(
                "%(column)s 已脱敏（%(value)s）；请导入未脱敏的原始数据") % {
                    "column": column_label(t), "value": values[t.name]}))
    return values, problems


def _row_geometry(kind: str, shapes: _Shapes, i: int, row: int,
                  notes: list[str]) -> tuple[BaseGeometry | None, list[Problem]]:
    """Row ``i``'s checked and cleaned WGS84 geometry, or the problem with it."""
    geom = shapes.wgs84[i]
    if geom is None or geom.is_empty:
        return None, [Problem(row, "geometry", "no_geometry", _("该行没有图形"))]
    if shapes.checks[i] != "ok":
        x, y = shapes.read[i].representative_point().coords[0]
        return None, [Problem(row, "geometry", shapes.checks[i],
                              coords.row_message(shapes.checks[i], x, y))]
    try:
        geom, note = clean_geometry(kind, geom)
    except GeometryProblem as exc:
        return None, [Problem(row, "geometry", exc.code, exc.message)]
    if note:
        notes.append(_("第 %(row)s 行：%(note)s") % {"row": row, "note": note})
    return geom, []


def _parse_rows(prepared: Prepared, table: SourceTable, shapes: _Shapes,
                problems: list[Problem], progress: Progress | None) -> None:
    """Parse every row into ``prepared.records``, or its problems into ``problems``."""
    fmap, frame = prepared.mapping, table.frame
    targets = [t for t in FIELDS[prepared.kind] if t.name in fmap.columns]
    columns = {t.name: frame[fmap.columns[t.name]].to_numpy() for t in targets}
    bad_rows = {p.row for p in problems}
    for i in range(len(frame)):
        row = table.first_row + i
        if progress and i % 500 == 0:
            progress(i)
        if row in bad_rows:
            continue
        values, row_problems = _row_values(prepared, targets, columns, i, row,
                                           table.encoding)
        geom, geom_problems = _row_geometry(prepared.kind, shapes, i, row, prepared.notes)
        row_problems += geom_problems
        if row_problems or geom is None:
            problems.extend(row_problems)
        else:
            prepared.records.append(Record(row, values, geom))


def prepare(path: Path, kind: str, options: Options | None = None,
            progress: Progress | None = None) -> Prepared:
    """Read and validate ``path`` as a layer of ``kind``; see the module docstring."""
    opts = options or Options()
    table = read_source(path, opts.layer, opts.encoding, opts.header_row)
    fmap = map_fields(kind, [str(c) for c in table.frame.columns], opts.overrides)
    table.frame.columns = [str(c) for c in table.frame.columns]
    first = table.first_row
    problems: list[Problem] = []
    n = len(table.frame)
    if n == 0:
        raise FileRejected("no_rows", _("%(name)s 中没有数据行") % {"name": path.name})
    missing = [t for t in FIELDS[kind] if t.required and t.name not in fmap.columns]
    if missing:
        names = _("；").join(f"{t.name} ({t.header})" for t in missing)
        raise FileRejected("missing_column", _(
            "每个%(kind)s都需要 %(names)s，但没有匹配的列；现有的列为 %(columns)s。"
            "请用 --map %(first)s=<列名> 指明") % {
                "kind": kind_noun(kind), "names": names,
                "columns": ", ".join(map(str, table.frame.columns)), "first": missing[0].name})
    geoms = _geometries(table, fmap, first, problems)
    source, crs_note = coords.resolve_crs(opts.crs, table.crs)
    present = np.array([g is not None and not g.is_empty for g in geoms])
    if not present.any():
        raise FileRejected("no_geometry", _("%(name)s：没有一行有图形") % {"name": path.name})
    notes = _coordinate_notes(table, fmap, geoms, present)
    _check_family(kind, geoms)
    bounds = shapely.bounds(geoms[present])
    classes = np.full(n, "ok", dtype="<U9")
    classes[present] = coords.check_extent(bounds, source)
    moved = np.full(n, None, dtype=object)
    moved[present] = coords.to_wgs84_geoms(geoms[present], source)
    if not source.geographic:
        after = coords.post_check(moved[present])
        if not np.any(after == "ok"):
            raise coords.file_diagnosis("outside", shapely.bounds(moved[present]),
                                        f"{source.label} converted to WGS84")
        classes[present] = after
    prepared = Prepared(kind, table.format, table.encoding, crs_note, fmap, rows=n,
                        notes=[*table.notes, *notes])
    _parse_rows(prepared, table, _Shapes(geoms, moved, classes), problems, progress)
    if progress:
        progress(n)
    _duplicate_codes(prepared.records, problems)
    fill_building_households(prepared)
    prepared.problems = sorted(problems, key=lambda p: (p.row or 0, p.field))
    return prepared


def _duplicate_codes(records: list[Record], problems: list[Problem]) -> None:
    """A code given twice in one file: the second row is an error; drop it from records."""
    seen: dict[str, int] = {}
    keep = []
    for rec in records:
        code = rec.values.get("code")
        if code:
            if code in seen:
                problems.append(Problem(rec.row, "code", "duplicate_code",
                                        _("代码 %(code)s 已在第 %(row)s 行使用") % {
                                            "code": code, "row": seen[code]}))
                continue
            seen[code] = rec.row
        keep.append(rec)
    records[:] = keep
