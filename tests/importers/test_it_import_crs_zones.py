"""Gauss–Krüger zones and a wrong coordinate system (issue 16, item 3).

For eastings at 105°E without a zone number the importer suggested EPSG:4539 (central
meridian 90°E); following it moved 9 communities 1,440 km to Tibet without a word. The
suggestion now comes from a table checked against PROJ for every zone, and an update that
would move a row more than 1 km is an error unless --allow-move.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import CRS

from geo.models import Community
from importers.coords import cgcs2000_gk_epsg
from tests.import_helpers import counts, import_layer, rejected, run

ZONES = [(3, cm) for cm in range(75, 136, 3)] + [(6, cm) for cm in range(75, 136, 6)]


def _params(code: int) -> dict[str, float]:
    op = CRS.from_epsg(code).coordinate_operation
    assert op is not None
    return {p.name: float(p.value) for p in op.params}


@pytest.mark.parametrize(("width", "meridian"), ZONES)
def test_it_names_every_cgcs2000_zone_by_its_epsg_code(width: int, meridian: int) -> None:
    for in_easting in (False, True):
        code = cgcs2000_gk_epsg(meridian, width, in_easting)
        crs = CRS.from_epsg(code)
        assert "CGCS2000" in crs.name and crs.geodetic_crs is not None
        assert crs.geodetic_crs.to_epsg() == 4490
        params = _params(code)
        assert params["Longitude of natural origin"] == meridian
        zone = meridian // 3 if width == 3 else (meridian + 3) // 6
        assert params["False easting"] == (zone * 1_000_000 if in_easting else 0) + 500_000
        assert (f"{width}-degree" in crs.name) == (width == 3)
    with pytest.raises(ValueError):
        cgcs2000_gk_epsg(meridian + 1, width)


@pytest.mark.django_db
def test_it_suggests_the_right_zone_and_refuses_a_wrong_one(demo_db: None,
                                                            tmp_path: Path) -> None:
    gk = tmp_path / "communities-gk.geojson"
    run("export_layer", "communities", gk, "--crs", "EPSG:4544")  # CM 105°E, no zone number
    # The file without its declaration: metres taken for degrees, and the right hint.
    data = json.loads(gk.read_text(encoding="utf-8"))
    data.pop("crs", None)
    bare = tmp_path / "bare.geojson"
    bare.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    message = rejected("communities", bare)
    assert "105°E EPSG:4544" in message and "EPSG:4539" not in message
    # The right zone changes nothing; the neighbouring one (90°E) is refused row by row.
    before = {c.code: c.geom.wkb for c in Community.objects.all()}
    out = import_layer("communities", bare, "--crs", "EPSG:4544")
    assert "0 created" in out and "0 updated" in out
    state = counts()
    report = tmp_path / "problems.csv"
    message = rejected("communities", bare, "--crs", "EPSG:4539", "--report", report)
    assert "36 problems" in message
    problems = report.read_text(encoding="utf-8-sig")
    assert problems.count("moved_far") == 36 and "--allow-move" in problems
    assert "by 1,4" in problems  # about 1,440,000 m
    assert counts() == state
    assert {c.code: c.geom.wkb for c in Community.objects.all()} == before
    # A move that is meant goes through when said so (checked without writing).
    out = import_layer("communities", bare, "--crs", "EPSG:4539", "--allow-move", "--dry-run")
    assert "moved_far" not in out
