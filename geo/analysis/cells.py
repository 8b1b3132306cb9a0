"""Spreadsheet cells that cannot become formulas (CSV/formula injection).

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula when Excel or WPS opens a CSV file (``=HYPERLINK(...)`` sends a click elsewhere,
DDE payloads start programs). Every CSV the project writes passes its texts through
:func:`inert`, which puts an apostrophe in front, as the spreadsheet programs themselves do
to mark text; importers take it off again (:func:`revived`), so an export re-imports
unchanged. In XLSX files a text cell is never a formula, so writers only have to make sure
a text starting with ``=`` is stored as text (:func:`as_text_cells`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """``value`` made safe for a CSV cell: a formula-like text gets a leading apostrophe.

    A text that already looks marked (``'=…``) gets one more, so that :func:`revived`
    gives back exactly what was written.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or (
            value.startswith("'") and value[1:].startswith(FORMULA_STARTS))):
        return "'" + value
    return value


def revived(text: str) -> str:
    """Undo :func:`inert` on a text read back from a CSV or spreadsheet cell."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def as_text_cells(cells: Iterable[Any]) -> None:
    """Store every openpyxl cell whose text starts with ``=`` as text, not as a formula."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
