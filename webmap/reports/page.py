"""The report as one HTML page: self-contained for the browser, or printed to A4 PDF.

Both come from one Jinja template (``templates/report.html.j2``); the HTML carries the
interactive folium map, the PDF the static map images, page numbers and landscape
pages for the wide tables (WeasyPrint, with the system's Noto CJK fonts).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

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
    community_print_parts,
    definitions,
    display,
    duty_columns,
    headline_rows,
    records,
    rollup_breaches,
    rollup_columns,
    shown_time,
    star_columns,
)
from .figures import TITLES

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCORE_NAMES = {"facility": gettext_lazy("设施"), "reach": gettext_lazy("步行覆盖"),
               "pairing": gettext_lazy("结对"), "members": gettext_lazy("党员报到"),
               "grids": gettext_lazy("网格")}
NUMERIC = {"int", "area", "ratio", "share", "metres", "score"}
# The saved report is opened from disk (file://), where 'self' means nothing: its own
# scripts are allowed by hash and nothing may be fetched.
REPORT_POLICY = ("default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
                 "img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                          autoescape=jinja2.select_autoescape(["html", "j2"]),
                          undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"])
# The template's {{ _("…") }} are Django's message ids (makemessages reads the template as
# a Django one: see the Makefile's messages target), translated into the active language.
_env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]


def _table(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], table_id: str,
           breaches: Callable[[Mapping[str, Any]], set[str]] | None) -> Markup:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in columns)
    body = []
    for row in rows:
        bad = breaches(row) if breaches else set()
        cells = []
        for c in columns:
            value = row.get(c.key)
            classes = [k for k, on in (("num", c.kind in NUMERIC), ("breach", c.key in bad)) if on]
            sort = "" if value is None else value
            klass = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f'<td data-key="{c.key}" data-value="{escape(sort)}"{klass}>'
                         f"{escape(display(value, c.kind))}</td>")
        code = row.get("code") or row.get("community_code") or ""
        body.append(f"<tr data-code=\"{escape(code)}\">{''.join(cells)}</tr>")
    return Markup(f"<div class=\"table-wrap\"><table class=\"data\" id=\"{table_id}\">"
                  f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def page_html(doc: ReportDocument, mode: str, map_parts: tuple[str, str, str] | None = None
              ) -> str:
    """The report page; ``mode`` is "html" (with ``map_parts``) or "pdf"."""
    reaches = doc.reaches
    comms = records(doc.communities)
    head, body, script = map_parts or ("", "", "")
    return _env.get_template("report.html.j2").render(
        mode=mode, meta=doc.meta, headlines=headline_rows(doc), definitions=definitions(),
        reaches_text=_("、").join(_("%(m)s 米") % {"m": int(r)} for r in reaches),
        max_reach=int(max(reaches)), lang=get_language() or "zh-hans",
        generated_text=shown_time(doc.meta["generated_at"]), credit=doc.meta["credit"],
        images={k: _png_uri(v) for k, v in doc.images.items()}, titles=TITLES,
        map_head=Markup(head), map_body=Markup(body), map_script=Markup(script),
        table=_table, none=None, summary=doc.summary,
        finding_columns=FINDING_COLUMNS, findings=doc.findings,
        rect_columns=RECTIFICATION_COLUMNS, rectification=records(doc.rectification),
        score_names=SCORE_NAMES,
        community_columns=community_columns(reaches), communities=comms,
        community_parts=community_print_parts(reaches),
        community_breaches=lambda row: community_breaches(row, reaches),
        street_columns=rollup_columns(reaches, "street"),
        streets=records(doc.streets),
        district_columns=rollup_columns(reaches, "district"),
        districts=records(doc.districts), rollup_breaches=rollup_breaches,
        pairing_columns=PAIRING_COLUMNS, pairings=doc.pairings,
        uncovered_columns=UNCOVERED_COLUMNS, uncovered=doc.uncovered,
        event_columns=EVENT_COLUMNS, events=doc.events,
        duty_columns=duty_columns([{"kind": k, "label": doc.summary["duties"]["labels"][k]}
                                   for k in doc.summary["duties"]["required"]]),
        duties=doc.duties,
        staffing_columns=STAFFING_COLUMNS, staffing=doc.staffing,
        star_columns=star_columns(doc.summary["stars"]["titles"]), stars=doc.stars,
        wish_columns=WISH_COLUMNS, wishes=doc.wishes,
        list_columns=LIST_COLUMNS, lists=doc.lists,
        sign_columns=SIGN_COLUMNS, signs=doc.signs,
        street_staffing_columns=STREET_STAFFING_COLUMNS, street_staffing=doc.street_staffing,
        duty_text=_("、").join(
            _("%(duty)s %(n)s 次") % {"duty": doc.summary["duties"]["labels"][k], "n": n}
            for k, n in doc.summary["duties"]["required"].items()),
    )


def with_csp(page: str) -> str:
    """``page`` with a Content-Security-Policy that allows exactly its own inline scripts.

    The saved report is opened from disk, where no server sends a header; the meta tag lets
    the browser run the scripts written here (by their SHA-256) and nothing else, and fetch
    nothing from anywhere.
    """
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest())
                     .decode() + "'" for body in _INLINE_SCRIPT.findall(page)})
    meta = ('<meta http-equiv="Content-Security-Policy" content="'
            + REPORT_POLICY.format(hashes=" ".join(hashes) or "'none'") + '">')
    return page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + meta, 1)


def render_html(doc: ReportDocument) -> bytes:
    """One self-contained HTML file: the interactive map, charts and tables, offline."""
    from .foliummap import folium_map, map_parts

    return with_csp(page_html(doc, "html", map_parts(folium_map(doc)))).encode("utf-8")


def render_pdf(doc: ReportDocument) -> bytes:
    """A4 PDF with page numbers, static maps and charts; wide tables on landscape pages."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = page_html(doc, "pdf")
    pdf: bytes = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
