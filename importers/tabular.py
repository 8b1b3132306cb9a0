"""Sheets of records without geometry (CSV, XLSX): read, map the columns, check every row.

The importers of members' activities, staffing and leader links share this: a file is read
once, its columns are matched to the kind's targets (``importers.fields.FIELDS``), each
non-blank row is parsed and handed to the importer's own check, and every problem is kept
with the row number the spreadsheet shows. The importer writes only when none was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .fields import FIELDS, MappingError, Target, map_fields
from .sources import FileRejected, SourceTable, read_source
from .values import ValueProblem, is_blank, parse

MAX_ROWS = 50_000
SHOWN_PROBLEMS = 200


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row (``row`` as the spreadsheet numbers it)."""

    row: int
    code: str
    message: str


@dataclass
class SheetImport:
    """What an import found and did; ``written`` is False after a dry run or any problem."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0  # rows repeating an earlier row of the file
    problems: list[RowProblem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # target -> the file's column
    written: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # the importer's own counts

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "repeated": self.repeated,
                "written": self.written, "columns": self.columns, **self.extra,
                "problems": [{"row": p.row, "code": p.code, "message": p.message}
                             for p in self.problems[:SHOWN_PROBLEMS]],
                "problem_count": len(self.problems)}


@dataclass
class Sheet:
    """A read sheet with its columns matched: ``used`` maps targets to the file's columns."""

    table: SourceTable
    targets: dict[str, Target]
    used: dict[str, str]


def read_sheet(path: Path, kind: str, required: tuple[str, ...], sheet: str | None = None,
               header_row: int | None = None) -> Sheet:
    """Read ``path`` and match its columns to ``kind``; FileRejected or MappingError if the
    file as a whole cannot serve (too many rows, a required column missing)."""
    table = read_source(path, sheet, None, header_row)
    if len(table.frame) > MAX_ROWS:
        raise FileRejected("too_many_rows", _(
            "%(name)s 有 %(n)s 行，一次最多导入 %(max)s 行；请分成几个文件") % {
                "name": path.name, "n": len(table.frame), "max": MAX_ROWS})
    fmap = map_fields(kind, [str(c) for c in table.frame.columns], {})
    targets = {t.name: t for t in FIELDS[kind]}
    used = {k: v for k, v in fmap.columns.items() if k in targets}
    for need in required:
        if need not in used:
            raise MappingError("missing_column", _(
                "%(name)s 缺少“%(column)s”列；表头须有 %(all)s") % {
                    "name": path.name, "column": targets[need].header,
                    "all": _("、").join(t.header for t in FIELDS[kind])})
    return Sheet(table, targets, used)


def check_rows(sheet: Sheet, result: SheetImport,
               check: Callable[[dict[str, Any], Any], None]) -> None:
    """Parse each non-blank row and call ``check(values, raw_row)``; keep each ValueProblem.

    ``result.rows`` counts the rows that were not blank.
    """
    table = sheet.table
    result.columns = dict(sheet.used)
    result.rows = 0
    for i, row in table.frame.iterrows():
        if all(is_blank(row[c]) for c in sheet.used.values()):
            continue
        result.rows += 1
        try:
            values = {name: parse(sheet.targets[name], row[col])
                      for name, col in sheet.used.items()}
            check(values, row)
        except ValueProblem as exc:
            result.problems.append(RowProblem(int(str(i)) + table.first_row, exc.code,
                                              str(exc.message)))
