"""Files as offices save them (issue 16, items 6 and 7; the API's 404).

Google Earth keeps placemarks in nested folders (4 placemarks imported as 1) and saves
``.kmz`` (an "unknown format"); Excel sheets carry a title row above the header and blank
formatted rows below the data (the file was refused), and long codes saved as CSV become
``5.10199E+11`` ("no parent with code", no hint).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from openpyxl.styles import Border, Side

from geo.models import CoBuildingUnit, Community
from tests.import_helpers import import_layer, rejected

pytestmark = pytest.mark.django_db

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>共建单位</name>
<Placemark><name>甲单位</name><Point><coordinates>104.160,30.590</coordinates></Point></Placemark>
<Folder><name>锦江区</name>
  <Placemark><name>乙单位</name><Point><coordinates>104.161,30.590</coordinates></Point></Placemark>
  <Folder><name>春熙路街道</name>
    <Placemark><name>丙单位</name><Point><coordinates>104.162,30.590</coordinates></Point></Placemark>
    <Placemark><name>丁单位</name><Point><coordinates>104.163,30.590</coordinates></Point></Placemark>
  </Folder>
</Folder></Document></kml>
"""
NAMES = {"甲单位", "乙单位", "丙单位", "丁单位"}


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_it_reads_every_folder_of_a_google_earth_file(demo_db: None, tmp_path: Path,
                                                      suffix: str) -> None:
    path = tmp_path / f"units{suffix}"
    if suffix == ".kml":
        path.write_text(KML, encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w") as kmz:
            kmz.writestr("doc.kml", KML)
    out = import_layer("units", path, "--map", "address=folder")
    assert "4 created" in out
    units = {u.name: u for u in CoBuildingUnit.objects.filter(name__in=NAMES)}
    assert set(units) == NAMES
    assert units["丁单位"].address == "春熙路街道" and units["乙单位"].address == "锦江区"


def _sheet(path: Path, title: bool, rows: list[list[object]], blank_below: int) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    if title:
        ws.append(["2026年共建单位名单（锦城示范区）"])
        ws.merge_cells("A1:D1")
    ws.append(["单位名称", "经度", "纬度", "电话"])
    for row in rows:
        ws.append(row)
    thin = Side(style="thin")
    start = ws.max_row + 1
    for r in range(start, start + blank_below):
        for c in range(1, 5):  # bordered, blank-looking (a space): Excel keeps such rows
            ws.cell(row=r, column=c).border = Border(top=thin, bottom=thin)
            ws.cell(row=r, column=c).value = " " if c == 2 else None
    book.save(path)


def test_it_reads_sheets_with_a_title_row_and_blank_rows_below(demo_db: None,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    rows: list[list[object]] = [["戊单位", 104.164, 30.59, "028-1"],
                                ["己单位", 104.165, 30.59, "028-2"]]
    _sheet(path, True, rows, 6)
    out = import_layer("units", path)
    assert "2 created" in out
    assert "header on row 2" in out and "6 blank rows after the data skipped" in out
    # The header named by hand, too.
    again = tmp_path / "again.xlsx"
    _sheet(again, True, [["庚单位", 104.166, 30.59, "028-3"]], 0)
    assert "1 created" in import_layer("units", again, "--header-row", "2")
    bad = rejected("units", again, "--header-row", "40")
    assert "--header-row 40" in bad


def test_it_explains_codes_turned_into_numbers(demo_db: None, tmp_path: Path) -> None:
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    path = tmp_path / "buildings.csv"
    path.write_text("楼栋名称,社区代码,户数,WKT\n"
                    "一号楼,5.10199E+11,10,\"POLYGON((104.16 30.59,104.1603 30.59,"
                    "104.1603 30.5903,104.16 30.5903,104.16 30.59))\"\n", encoding="utf-8")
    report = tmp_path / "problems.csv"
    rejected("buildings", path, "--report", report)
    problems = report.read_text(encoding="utf-8-sig")
    assert "code_in_e_notation" in problems and "Format Cells → Text" in problems


def test_it_answers_unknown_api_paths_in_the_error_shape() -> None:
    client = Client()
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
    moved = client.get("/api/v1/districts")
    assert moved.status_code == 301 and moved["Location"] == "/api/v1/districts/"
