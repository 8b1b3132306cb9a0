"""The coverage report's 指引牌 section: per center the households served and guided, signs
planned and stored by status, agreeing with the API and the database, in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from openpyxl import load_workbook

from geo.analysis.rules import load_profile
from geo.models import DirectionSign, ServiceCenter
from geo.services.signs import scope_signs
from tests.web.helpers import report_file

pytestmark = pytest.mark.django_db

SCOPE = "510199001"


def _report(tmp_path: Path, fmt: str) -> Path:
    return report_file(tmp_path, SCOPE, fmt)


def test_it_counts_signs_per_center_in_every_format(demo_db: None, tmp_path: Path) -> None:
    DirectionSign.objects.all().delete()  # plan from nothing, then one sign standing
    plan = scope_signs(SCOPE, load_profile())
    center = ServiceCenter.objects.get(pk=next(c["id"] for c in plan["centers"]
                                               if c["signs"]))
    DirectionSign.objects.create(center=center, location=Point(center.location.x,
                                                               center.location.y, srid=4326),
                                 walk_m=100, bearing_deg=0, route_bearing_deg=0, households=7,
                                 text="→ x 100 米", status="installed")
    data = json.loads(_report(tmp_path, "json").read_text(encoding="utf-8"))
    got = {r["id"]: r for r in data["signs"]}
    assert set(got) == {c["id"] for c in plan["centers"]}
    assert got[center.pk]["installed"] == 1
    assert sum(r["installed"] for r in data["signs"]) == DirectionSign.objects.filter(
        status="installed", center_id__in=list(got)).count()
    for c in plan["centers"]:
        assert got[c["id"]]["served"] == c["households_served"]
        assert got[c["id"]]["guided"] <= got[c["id"]]["served"]
    assert data["summary"]["signs"]["planned"] == sum(r["planned"] for r in data["signs"]) > 0
    ws = load_workbook(_report(tmp_path, "xlsx"))["指引牌"]
    assert [c.value for c in ws[1]][:3] == ["服务中心", "步行范围内服务户数", "指引牌引导户数"]
    assert ws.max_row - 1 == len(data["signs"])
    html = _report(tmp_path, "html").read_text(encoding="utf-8")
    assert "十七、指引牌" in html and 'id="sign-table"' in html
