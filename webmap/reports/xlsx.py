"""The report as an Excel workbook: a summary sheet, one sheet per table, maps and charts."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.analysis.cells import as_text_cells

from .document import (
    EVENT_COLUMNS,
    FINDING_COLUMNS,
    LIST_COLUMNS,
    PAIRING_COLUMNS,
    RECTIFICATION_COLUMNS,
    SIGN_COLUMNS,
    STAFFING_COLUMNS,
    STREET_STAFFING_COLUMNS,
    UNCOVERED_COLUMNS,
    WISH_COLUMNS,
    Column,
    ReportDocument,
    community_breaches,
    community_columns,
    definitions,
    duty_columns,
    headline_rows,
    records,
    rollup_breaches,
    rollup_columns,
    shown_time,
    star_columns,
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

SHEETS = {"summary": gettext_lazy("摘要"), "communities": gettext_lazy("社区"),
          "streets": gettext_lazy("街道"), "districts": gettext_lazy("区县"),
          "findings": gettext_lazy("问题清单"), "rectification": gettext_lazy("整改名单"),
          "pairings": gettext_lazy("结对"), "uncovered": gettext_lazy("未覆盖小区"),
          "events": gettext_lazy("网格事件"), "duties": gettext_lazy("党员五个一"),
          "staffing": gettext_lazy("人员经费"), "street_staffing": gettext_lazy("街道党务人员"),
          "stars": gettext_lazy("星级评定"), "wishes": gettext_lazy("微心愿"),
          "lists": gettext_lazy("三张清单"), "signs": gettext_lazy("指引牌"),
          "maps": gettext_lazy("地图与图表")}


def _staffing_breaches(row: Mapping[str, Any]) -> set[str]:
    """The cells of a staffing row that fall short, filled red like the other breaches."""
    out = {k for k in ("posts_short", "workers_short", "workers_over", "funds_short_yuan",
                       "centers_below_level") if row.get(k)}
    return out | ({"ok_label"} if not row.get("ok") else set())


def _duty_kinds(doc: ReportDocument) -> list[dict[str, Any]]:
    labels = doc.summary["duties"]["labels"]
    return [{"kind": k, "label": labels[k]} for k in doc.summary["duties"]["required"]]


def _width(text: str) -> float:
    """A column width that fits ``text`` (CJK characters take two columns)."""
    return 1.1 * sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _table(ws: Worksheet, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]],
           breaches: Callable[[Mapping[str, Any]], set[str]] | None = None,
           freeze: str = "B2") -> None:
    for j, col in enumerate(columns, start=1):
        label = str(col.label)
        cell = ws.cell(row=1, column=j, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, _width(label)))
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
    ws.title = str(SHEETS["summary"])
    meta = doc.meta
    ws["A1"] = meta["title"]
    ws["A1"].font = Font(bold=True, size=16, color="B71C1C")
    scope = meta["scope"]
    info = [(_("范围"), f"{scope['name']} ({scope['code']})" if scope["code"] else scope["name"]),
            (_("规则配置"), f"{meta['profile']['name']} — {meta['profile']['title']}"),
            (_("步行范围"), _("、").join(_("%(m)s 米") % {"m": int(r)} for r in doc.reaches)),
            (_("生成时间"), shown_time(meta["generated_at"]))]
    if meta["credit"]:
        info.append((_("地图数据"), meta["credit"]))
    row = 3
    for label, value in [*info, ("", ""), *headline_rows(doc)]:
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1
    for note in definitions():
        ws.cell(row=row, column=1, value=note)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("数据来源")).font = BOLD
    row += 1
    for j, head in enumerate((_("数据"), _("来源"), _("记录数"), _("更新日期")), start=1):
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
        ("streets", rollup_columns(reaches, "street"), records(doc.streets),
         rollup_breaches, "C2"),
        ("districts", rollup_columns(reaches, "district"), records(doc.districts),
         rollup_breaches, "C2"),
        ("findings", FINDING_COLUMNS, doc.findings, None, "A2"),
        ("rectification", RECTIFICATION_COLUMNS, records(doc.rectification), None, "D2"),
        ("pairings", PAIRING_COLUMNS, doc.pairings, None, "C2"),
        ("uncovered", UNCOVERED_COLUMNS, doc.uncovered, None, "B2"),
        ("events", EVENT_COLUMNS, doc.events, None, "C2"),
        ("duties", duty_columns(_duty_kinds(doc)), doc.duties, None, "C2"),
        ("staffing", STAFFING_COLUMNS, doc.staffing, _staffing_breaches, "C2"),
        ("street_staffing", STREET_STAFFING_COLUMNS, doc.street_staffing, None, "C2"),
        ("stars", star_columns(doc.summary["stars"]["titles"]), doc.stars, None, "C2"),
        ("wishes", WISH_COLUMNS, doc.wishes, None, "C2"),
        ("lists", LIST_COLUMNS, doc.lists, None, "C2"),
        ("signs", SIGN_COLUMNS, doc.signs, None, "B2"),
    ]
    for key, columns, rows, breaches, freeze in tables:
        _table(wb.create_sheet(str(SHEETS[key])), columns, rows, breaches, freeze)

    maps = wb.create_sheet(str(SHEETS["maps"]))
    at = 1
    for name, title in TITLES.items():
        if name in doc.images:
            maps.cell(row=at, column=1, value=str(title)).font = BOLD
            at += 1 + _image(maps, doc.images[name], f"A{at + 1}")
    buf = io.BytesIO()
    for sheet in wb.worksheets:  # names come from users: never let one become a formula
        as_text_cells(c for row in sheet.iter_rows() for c in row)
    wb.save(buf)
    return buf.getvalue()
