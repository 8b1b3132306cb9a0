"""Render a gathered report in one of the four formats, reporting each step's progress."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from .document import ReportDocument

FORMATS = ("xlsx", "pdf", "html", "json")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
MAPS = ("coverage_map", "pairing_map")
CHARTS = ("ratio_chart", "distance_chart", "grid_chart")
# The images each format shows: the HTML has the live map instead of the static ones.
IMAGES = {"xlsx": MAPS + CHARTS, "pdf": MAPS + CHARTS, "html": CHARTS, "json": ()}


def report_filename(doc: ReportDocument, fmt: str) -> str:
    """The download's file name: scope code and the day it was made."""
    code = doc.meta["scope"]["code"] or "all"
    return f"coverage-{code}-{doc.meta['generated_at'][:10]}.{fmt}"


def render_steps(fmt: str) -> list[str]:
    """Labels of the steps :func:`render` reports, for a progress bar's total."""
    return [*IMAGES[fmt], fmt]


def render(doc: ReportDocument, fmt: str,
           progress: Callable[[str], None] | None = None) -> bytes:
    """The report file's bytes; draws the format's images into ``doc.images`` first."""
    if fmt not in FORMATS:
        raise ValueError(_("格式应为 %(formats)s 之一，不是 %(format)r")
                         % {"formats": ", ".join(FORMATS), "format": fmt})
    step = progress or (lambda _label: None)
    # matplotlib takes most of a second to import: only the formats with images pay it.
    from . import figures

    for name in IMAGES[fmt]:
        step(name)
        if name not in doc.images:
            doc.images[name] = figures.FIGURES[name](doc)
    step(fmt)
    if fmt == "xlsx":
        from .xlsx import render_xlsx
        return render_xlsx(doc)
    if fmt == "pdf":
        from .page import render_pdf
        return render_pdf(doc)
    if fmt == "html":
        from .page import render_html
        return render_html(doc)
    from .jsonout import render_json
    return render_json(doc)
