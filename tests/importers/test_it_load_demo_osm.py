"""`manage.py load_demo --osm`: a demo derived from a real extract, tiled exactly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from geo.models import (
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Origin,
    ServiceCenter,
    WalkEdge,
)
from tests.conftest import shared_file
from tests.demo_checks import assert_grids_tile_communities, assert_valid_geometries
from tests.osm_fixture import write_osm

pytestmark = pytest.mark.django_db


def _load(path: Path) -> str:
    out = io.StringIO()
    call_command("load_demo", "--osm", str(path), stdout=out)
    return out.getvalue()


def test_it_derives_a_district_from_a_small_extract(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "lattice.osm")
    _load(path)
    district = District.objects.get()
    assert district.origin == Origin.DERIVED and district.source == "demo-osm:lattice.osm"
    assert Community.objects.count() >= 2
    assert WalkEdge.objects.filter(highway="primary").exists()
    assert Compound.objects.filter(name__startswith="测试").count() == 36
    assert CoBuildingUnit.objects.filter(name="测试区民政局", unit_type="organ").exists()
    assert CoBuildingUnit.objects.count() >= 60
    assert_grids_tile_communities("demo-osm")
    assert_valid_geometries("demo-osm")
    # Every grid follows block boundaries, so household sums agree with the community.
    for comm in Community.objects.all():
        assert sum(GridUnit.objects.filter(community=comm)
                   .values_list("households", flat=True)) == comm.households


def test_it_replaces_the_generated_demo(tmp_path: Path) -> None:
    call_command("load_demo", stdout=io.StringIO())
    _load(write_osm(tmp_path / "lattice.osm"))
    assert District.objects.count() == 1
    assert not Community.objects.filter(origin=Origin.GENERATED).exists()


def test_it_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not found"):
        call_command("load_demo", "--osm", str(tmp_path / "missing.osm"))
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"\x00")
    with pytest.raises(CommandError, match="not a readable OSM PBF file"):
        call_command("load_demo", "--osm", str(pbf))
    bad = tmp_path / "bad.osm"
    bad.write_text("not xml at all")
    with pytest.raises(CommandError, match="not a readable OSM XML"):
        call_command("load_demo", "--osm", str(bad))


def test_it_derives_the_chengdu_extract() -> None:
    path = shared_file("chengdu-center.osm")
    _load(path)
    comms = Community.objects.filter(source="demo-osm:chengdu-center.osm")
    assert comms.count() >= 30
    assert assert_grids_tile_communities("demo-osm", tolerance_m2=1.0) == comms.count()
    assert_valid_geometries("demo-osm")
    in_range = [1500 <= c.households <= 4000 for c in comms]
    assert sum(in_range) / len(in_range) >= 0.9
    residential = list(GridUnit.objects.filter(zone_type="residential")
                       .values_list("households", flat=True))
    share = sum(150 <= h <= 500 for h in residential) / len(residential)
    assert share >= 0.9, f"only {share:.0%} of residential grids hold 150-500 households"
    assert ServiceCenter.objects.filter(level="community").count() < comms.count()
    assert CoBuildingUnit.objects.filter(origin=Origin.DERIVED).count() >= 20
    assert WalkEdge.objects.count() > 3000
