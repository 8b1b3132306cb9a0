"""Buildings and compounds from footprint files (issue 16, items 1 and 2).

Many buildings share a name (two towers called 东方银座); a file without codes used to refuse
the second as "the same building" and let a new tower of that name 1.5 km away move the old
one. A file without a households column gave every building a real-looking 0. Now a row is
the stored footprint it overlaps (IoU ≥ 0.9), never a namesake, and missing counts are
estimated with the household model and marked so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import box

from geo.analysis.households import HouseholdModel
from geo.analysis.projection import to_local_metres
from geo.models import Building, Compound
from importers.footprints import MATCH_IOU, FootprintIndex
from tests.import_helpers import feature_collection, import_layer, square

pytestmark = pytest.mark.django_db
LON, LAT = 104.16, 30.59  # inside the demo district


def _write(tmp_path: Path, name: str, rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> Path:
    path = tmp_path / name
    path.write_text(feature_collection(rows), encoding="utf-8")
    return path


def test_it_matches_a_footprint_by_overlap_not_by_name() -> None:
    stored = [box(0, 0, 10, 10), box(100, 0, 110, 10)]
    index = FootprintIndex(stored)
    assert index.same_as(box(0.2, 0, 10.2, 10)) == 0  # re-surveyed, shifted a little
    assert index.same_as(box(0, 0, 10, 5)) is None  # half of it: IoU 0.5 < 0.9
    assert index.same_as(box(50, 0, 60, 10)) is None
    assert index.same_as(box(0.2, 0, 10.2, 10), taken={0}) is None
    assert MATCH_IOU == 0.9


def test_it_imports_two_towers_of_one_name_and_never_moves_a_namesake(demo_db: None,
                                                                       tmp_path: Path) -> None:
    before = Building.objects.count()
    towers = [({"楼栋名称": "东方银座", "户数": 120}, square(LON, LAT, 0.0004)),
              ({"楼栋名称": "东方银座", "户数": 140}, square(LON + 0.002, LAT, 0.0004))]
    out = import_layer("buildings", _write(tmp_path, "towers.geojson", towers))
    assert "2 created" in out
    assert Building.objects.filter(name="东方银座").count() == 2
    # A third 东方银座 1.5 km away is a new building; the first two stay where they are.
    shapes = {b.pk: b.geom.wkb for b in Building.objects.filter(name="东方银座")}
    far = [({"楼栋名称": "东方银座", "户数": 99}, square(LON + 0.015, LAT, 0.0004))]
    out = import_layer("buildings", _write(tmp_path, "far.geojson", far))
    assert "1 created" in out
    for pk, wkb in shapes.items():
        assert Building.objects.get(pk=pk).geom.wkb == wkb
    # The same towers surveyed again (shifted ~0.5 m, new counts) update, not duplicate.
    moved = [({"楼栋名称": "东方银座", "户数": 125},
              square(LON + 0.000005, LAT, 0.0004)),
             ({"楼栋名称": "东方银座", "户数": 145},
              square(LON + 0.002005, LAT, 0.0004))]
    out = import_layer("buildings", _write(tmp_path, "again.geojson", moved))
    assert "2 updated" in out and "0 created" in out
    assert Building.objects.count() == before + 3
    assert sorted(Building.objects.filter(name="东方银座").values_list(
        "households", flat=True)) == [99, 125, 145]


def test_it_never_matches_compounds_by_name(demo_db: None, tmp_path: Path) -> None:
    before = Compound.objects.filter(name="阳光小区").count()
    rows = [({"小区名称": "阳光小区", "户数": 300}, square(LON, LAT + 0.003, 0.002)),
            ({"小区名称": "阳光小区", "户数": 500}, square(LON + 0.01, LAT + 0.003, 0.002))]
    out = import_layer("compounds", _write(tmp_path, "c.geojson", rows))
    assert "2 created" in out
    assert Compound.objects.filter(name="阳光小区").count() == before + 2


def test_it_estimates_missing_households_and_says_so(demo_db: None, tmp_path: Path) -> None:
    foot = square(LON, LAT - 0.004, 0.0003)
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = [
            ({"楼栋名称": "甲", "层数": 18}, foot),
            ({"楼栋名称": "乙", "建筑高度": 30.0}, square(LON + 0.001, LAT - 0.004, 0.0003)),
            ({"楼栋名称": "丙"}, square(LON + 0.002, LAT - 0.004, 0.0003))]
    out = import_layer("buildings", _write(tmp_path, "nohh.geojson", rows))
    assert "columns absent: households, residential" in out
    assert "households estimated for 3 buildings" in out and "assumed 6 levels" in out
    assert "levels from height" in out
    model = HouseholdModel()
    area = to_local_metres([shapely.geometry.shape(foot)])[0].area
    got = {b.name: b for b in Building.objects.filter(name__in=["甲", "乙", "丙"])}
    assert got["甲"].households == model.building(area, 18) > 0
    assert got["乙"].levels == 10 and got["乙"].households == pytest.approx(
        model.building(area, 10), abs=1)
    assert got["丙"].households == pytest.approx(model.building(area, None), abs=1)
    assert all(b.households_estimated for b in got.values())
    # A building marked non-residential holds no households, and that is no estimate.
    office: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"楼栋名称": "写字楼", "住宅": "否"}, square(LON + 0.004, LAT - 0.004, 0.0003))]
    import_layer("buildings", _write(tmp_path, "office.geojson", office))
    tower = Building.objects.get(name="写字楼")
    assert tower.households == 0 and not tower.households_estimated and not tower.residential
    # A count someone entered is not replaced by an estimate from a file without counts.
    Building.objects.filter(pk=got["甲"].pk).update(households=77, households_estimated=False)
    import_layer("buildings", _write(tmp_path, "nohh2.geojson", rows[:1]))
    again = Building.objects.get(pk=got["甲"].pk)
    assert again.households == 77 and not again.households_estimated
