"""Each page in one language: an English page shows no Chinese UI text, a Chinese page no
English sentence. Place names and other data are the data's, in whatever script they use."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geo.analysis.personal import mask_name
from geo.models import (
    CoBuildingUnit,
    Community,
    Compound,
    DirectionSign,
    District,
    GridUnit,
    Leader,
    Need,
    Project,
    Resource,
    ServiceCenter,
    StarScore,
    Street,
    WalkEdge,
    Wish,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]+")
ENGLISH_WORD = re.compile(r"[A-Za-z]{4,}")
# Names that are the same in both interfaces: the product, the other language's name on the
# switch, file formats and the data's licensor.
NAMES = {"wangge", "English", "Excel", "JSON", "GeoJSON", "Shapefile", "GeoPackage", "XLSX",
         "OpenStreetMap", "python", "manage", "load_demo", "QGIS", "OpenAPI",
         # the OGC standards' own names, and the parameter and link names they define
         "Features", "Tiles", "bbox", "next", "prev",
         "json", "geojson", "gpkg", "xlsx", "kml", "kmz", "zip", "csv"}


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, no styles; titles and placeholders included."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <code> holds literal identifiers (commands, URLs, protocol names), not prose.
        if tag in ("script", "style", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def data_strings() -> list[str]:
    """Every name, address and opening time the pages may show, longest first."""
    out: set[str] = set()
    for model, fields in [(District, ["name"]), (Street, ["name"]), (Community, ["name"]),
                          (GridUnit, ["name", "leader", "party_branch"]),
                          (Compound, ["name"]), (CoBuildingUnit, ["name", "address"]),
                          (ServiceCenter, ["name", "address", "opening_hours"]),
                          # Leaders' names and posts, evaluators' evidence, residents' wishes:
                          # entered by people, shown as entered.
                          (Leader, ["name", "position"]), (StarScore, ["evidence"]),
                          (Wish, ["text", "note"]),
                          # Needs, resources and projects' progress notes (三张清单).
                          (Need, ["title", "detail"]), (Resource, ["title", "detail"]),
                          (Project, ["note"]),
                          # Road names, and sign texts as saved to be printed (指引牌).
                          (WalkEdge, ["name"]), (DirectionSign, ["text", "road", "note"])]:
        for row in model._default_manager.values_list(*fields):
            out.update(v for v in row if v)
    out.update(User.objects.values_list("username", flat=True))
    # Residents named on the wish board: whole for staff, masked (王**) for the public.
    for person in Wish.objects.values_list("person", flat=True):
        out.update((person, mask_name(person)))
    # Where each row came from (a file's or loader's name, e.g. "demo") is data too.
    for model in (District, Street, Community, GridUnit, Compound, CoBuildingUnit,
                  ServiceCenter):
        out.update(model._default_manager.values_list("source", flat=True))
    return sorted(out, key=len, reverse=True)


def visible(html: str, data: list[str]) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for value in data:
        text = text.replace(value, " ")
    return text


PAGES = ["/", "/overview/", "/plan/", "/reports/", "/data/import/", "/accounts/login/",
         "/events/", "/members/duties/", "/organisation/", "/stars/", "/wishes/", "/lists/",
         "/signs/",
         "/ogcapi/?f=html", "/ogcapi/collections?f=html", "/ogcapi/collections/centers?f=html",
         "/ogcapi/collections/centers/items?f=html", "/ogcapi/collections/grids/items?f=html",
         "/ogcapi/collections/units/items?f=html", "/ogcapi/api.html",
         "/ogcapi/collections/grids/queryables?f=html"]


@pytest.mark.parametrize("path", PAGES)
def test_it_shows_an_english_page_in_english(demo_db: None, admin_client: Client,
                                              path: str) -> None:
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    data = data_strings()
    for url in (path, f"/centers/{center.pk}/"):
        resp = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert resp.status_code == 200, url
        # The language switch names the other language in its own script, as everywhere.
        text = visible(resp.content.decode(), data).replace("中文", " ")
        assert CJK.findall(text) == [], url


@pytest.mark.parametrize("path", PAGES)
def test_it_shows_a_chinese_page_in_chinese(demo_db: None, admin_client: Client,
                                             path: str) -> None:
    data = data_strings()
    resp = admin_client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200
    text = visible(resp.content.decode(), data)
    assert [w for w in ENGLISH_WORD.findall(text) if w not in NAMES] == [], path


def report_text(client: Client, fmt: str, language: str, data: list[str]) -> str:
    """The words a reader sees in a downloaded report (HTML page, or every sheet's cells)."""
    resp = client.get("/reports/export", {"scope": "510199", "format": fmt},
                      HTTP_ACCEPT_LANGUAGE=language)
    assert resp.status_code == 200, resp.content[:300]
    if fmt == "html":
        return visible(resp.content.decode(), data)
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(resp.content))
    cells = [book.sheetnames[0], *book.sheetnames[1:]]
    for sheet in book.worksheets:
        cells += [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    text = " ".join(cells)
    for value in data:
        text = text.replace(value, " ")
    return text


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_it_writes_the_report_in_the_readers_language(demo_db: None, admin_client: Client,
                                                      fmt: str) -> None:
    data = data_strings()
    english = report_text(admin_client, fmt, "en", data)
    assert "Summary" in english
    assert CJK.findall(english) == []
    chinese = report_text(admin_client, fmt, "zh-hans", data)
    assert "社区" in chinese
    # Profile names (national-2022) and source names (demo) are identifiers, not prose.
    words = [w for w in ENGLISH_WORD.findall(chinese) if w not in NAMES | {"national", "demo"}]
    assert words == []
