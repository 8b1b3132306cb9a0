"""Quiet losses in real files (issue 16, item 9): each is now said or refused.

Heights (Z) were dropped without a word; names with U+FFFD (characters lost to a wrong
encoding; Ningbo's file had 29) went in as they were; a table with both x,y and x1,y1 was
read from x,y with no hint that the other pair existed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.models import CoBuildingUnit
from tests.import_helpers import import_layer, rejected

pytestmark = pytest.mark.django_db


def test_it_says_it_dropped_heights(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"单位名称": "高处单位"},
         "geometry": {"type": "Point", "coordinates": [104.16, 30.59, 512.5]}}]},
        ensure_ascii=False), encoding="utf-8")
    out = import_layer("units", path)
    assert "1 rows carried heights (Z values); they were dropped" in out
    unit = CoBuildingUnit.objects.get(name="高处单位")
    assert not unit.location.hasz


def test_it_refuses_names_that_lost_characters(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位名称,经度,纬度\n宁波\ufffd\ufffd社区,104.16,30.59\n好名字,104.161,30.59\n",
                    encoding="utf-8")
    report = tmp_path / "problems.csv"
    rejected("units", path, "--report", report)
    problems = report.read_text(encoding="utf-8-sig")
    assert "garbled_text" in problems and "--encoding gbk" in problems
    assert problems.count("garbled_text") == 1


def test_it_says_which_coordinate_pair_it_read(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位名称,x,y,x1,y1\n双坐标单位,104.16,30.59,104.1625,30.5875\n",
                    encoding="utf-8")
    out = import_layer("units", path, "--crs", "gcj02", "--dry-run")
    assert "read from x/y, but the file also has x1" in out
    assert "--map lon=" in out
