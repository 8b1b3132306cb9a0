"""The report as an Excel workbook: a summary sheet, one sheet per table, maps and charts."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.analysis.cells import as_text_cells

from .document import (
    FINDING_COLUMNS,
    PAIRING_COLUMNS,
    RECTIFICATION_COLUMNS,
    UNCOVERED_COLUMNS,
    Column,
    ReportDocument,
    community_breaches,
    community_columns,
    headline_rows,
    records,
    rollup_breaches,
    rollup_columns,
)
from .figures import TITLES

FORMATS = {"int": "#,##0", "area": "#,##0.0", "ratio": "0.0", "share": "0.0%",
           "metres": "#,##0", "score": "0.0"}
HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")
BREACH_FILL = PatternFill("solid", fgColor="FFCDD2")
BREACH_FONT = Font(color="B71C1C", bold=True)
BOLD = Font(bold=True)
# Images are placed at 1/2 size: PNGs are drawn at 150 dpi, the sheet shows ~72 dpi.
IMAGE_SCALE = 0.5

SHEETS = {"summary": "摘要", "communities": "社区", "streets": "街道", "districts": "区县",
          "findings": "问题清单", "rectification": "整改名单", "pairings": "结对",
          "uncovered": "未覆盖小区", "maps": "地图与图表"}


def _table(ws: Worksheet, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]],
           breaches: Callable[[Mapping[str, Any]], set[str]] | None = None,
           freeze: str = "B2") -> None:
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.zh)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, 2.2 * len(col.zh)))
    for i, row in enumerate(rows, start=2):
        bad = breaches(row) if breaches else set()
        for j, col in enumerate(columns, start=1):
            cell = ws.cell(row=i, column=j, value=row.get(col.key))  # type: ignore[assignment]
            if col.kind in FORMATS:
                cell.number_format = FORMATS[col.kind]
            if col.key in bad:
                cell.fill = BREACH_FILL
                cell.font = BREACH_FONT
    ws.freeze_panes = freeze
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows)) + 1}"


def _image(ws: Worksheet, png: bytes, anchor: str) -> int:
    """Place a PNG; returns the rows it covers (at the default 20 px row height)."""
    img = Image(io.BytesIO(png))
    img.width, img.height = round(img.width * IMAGE_SCALE), round(img.height * IMAGE_SCALE)
    ws.add_image(img, anchor)
    return int(img.height / 20) + 2


def render_xlsx(doc: ReportDocument) -> bytes:
    """The workbook as bytes (images from ``doc.images``, drawn beforehand)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS["summary"]
    meta = doc.meta
    ws["A1"] = meta["title"]
    ws["A1"].font = Font(bold=True, size=16, color="B71C1C")
    ws["A2"] = meta["title_en"]
    info = [("范围 scope", f"{meta['scope']['name']}（{meta['scope']['code'] or '全部'}）"),
            ("规则配置 profile", f"{meta['profile']['name']} — {meta['profile']['title']}"),
            ("步行范围 reaches (m)", "、".join(str(int(r)) for r in doc.reaches)),
            ("生成时间 generated", meta["generated_at"])]
    row = 4
    for label, value in [*info, ("", ""), *[(zh, v) for zh, _en, v in headline_rows(doc)]]:
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="数据来源 data sources").font = BOLD
    row += 1
    for j, head in enumerate(("数据", "来源", "记录数", "更新日期"), start=1):
        ws.cell(row=row, column=j, value=head).fill = HEADER_FILL
    for s in meta["sources"]:
        row += 1
        for j, key in enumerate(("table", "source", "rows", "updated"), start=1):
            ws.cell(row=row, column=j, value=s[key])
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 48
    if "coverage_map" in doc.images:
        _image(ws, doc.images["coverage_map"], "D4")

    reaches = doc.reaches
    tables: list[tuple[str, Sequence[Column], Sequence[Mapping[str, Any]],
                       Callable[[Mapping[str, Any]], set[str]] | None, str]] = [
        ("communities", community_columns(reaches), records(doc.communities),
         lambda r: community_breaches(r, reaches), "C2"),
        ("streets", rollup_columns(reaches, "街道", "street"), records(doc.streets),
         rollup_breaches, "C2"),
        ("districts", rollup_columns(reaches, "区县", "district"), records(doc.districts),
         rollup_breaches, "C2"),
        ("findings", FINDING_COLUMNS, doc.findings, None, "A2"),
        ("rectification", RECTIFICATION_COLUMNS, records(doc.rectification), None, "D2"),
        ("pairings", PAIRING_COLUMNS, doc.pairings, None, "C2"),
        ("uncovered", UNCOVERED_COLUMNS, doc.uncovered, None, "B2"),
    ]
    for key, columns, rows, breaches, freeze in tables:
        _table(wb.create_sheet(SHEETS[key]), columns, rows, breaches, freeze)

    maps = wb.create_sheet(SHEETS["maps"])
    at = 1
    for name, title in TITLES.items():
        if name in doc.images:
            maps.cell(row=at, column=1, value=title).font = BOLD
            at += 1 + _image(maps, doc.images[name], f"A{at + 1}")
    buf = io.BytesIO()
    for sheet in wb.worksheets:  # names come from users: never let one become a formula
        as_text_cells(c for row in sheet.iter_rows() for c in row)
    wb.save(buf)
    return buf.getvalue()
