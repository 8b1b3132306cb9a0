"""`manage.py load_demo --osm`: a demo derived from a real extract, tiled exactly."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from geo.models import (
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    LandFeature,
    Origin,
    Pairing,
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
    # Water and land use for the basemap and the grid proposals' zones, with the demo.
    land = LandFeature.objects.filter(source="demo-osm:lattice.osm")
    assert {"water", "park", "residential", "transport"} <= set(land.values_list("kind",
                                                                               flat=True))
    assert_grids_tile_communities("demo-osm")
    assert_valid_geometries("demo-osm")
    # Every grid follows block boundaries, so household sums agree with the community.
    for comm in Community.objects.all():
        assert sum(GridUnit.objects.filter(community=comm)
                   .values_list("households", flat=True)) == comm.households


def test_it_replaces_the_generated_demo(tmp_path: Path) -> None:
    call_command("load_demo", "--generated", stdout=io.StringIO())
    assert not LandFeature.objects.filter(source__startswith="demo-osm").exists()
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


def test_it_derives_central_chengdu_by_default_within_its_roads() -> None:
    """The demo a new user sees: the shipped extract, no community past the road network."""
    from django.contrib.gis.geos import Polygon as GeosPolygon

    call_command("load_demo", stdout=io.StringIO())
    district = District.objects.get()
    assert district.name == "成都中心城区（演示）" and district.origin == Origin.DERIVED
    assert 25 <= Community.objects.count() <= 60
    # The extract covers 104.0421–104.1296 E, 30.6528–30.7279 N; its long outer roads reach
    # far past it, and before the frame came from the roads one community took 68 km² of
    # empty margin. Now a community reaches past the extract only to the first road beyond
    # its edge (blocks the roads close there), a small part of its area.
    extent = GeosPolygon.from_bbox((104.0421, 30.6528, 104.1296, 30.7279))
    total = beyond = 0.0
    for comm in Community.objects.all():
        area = comm.geom.transform(32648, clone=True).area
        outside = comm.geom.difference(extent).transform(32648, clone=True).area
        assert area < 8e6 and outside < 0.5e6, (comm.name, area, outside)
        assert comm.households >= 750, comm.name
        total, beyond = total + area, beyond + outside
    assert beyond < 0.1 * total, (beyond, total)
    assert_grids_tile_communities("demo-osm")
    assert_valid_geometries("demo-osm")
    # Some pairings already agreed, within the cap, each unit inside its community; room left
    # for the pairing page to propose more.
    pairings = Pairing.objects.select_related("unit", "community")
    assert pairings.count() >= 10
    per_community = Counter(p.community_id for p in pairings)
    assert max(per_community.values()) <= 5
    assert all(p.community.geom.contains(p.unit.location) for p in pairings)
    assert CoBuildingUnit.objects.exclude(pairings__isnull=False).exists()
