"""import_osm: network, buildings with estimated households, compounds, basemap, candidates."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError
from shapely import from_wkb

from geo.analysis.projection import GEOD
from geo.models import Building, CoBuildingUnit, Compound, LandFeature, WalkEdge, WalkNode
from importers.osm import OsmReadError, convert_osm, read_osm
from tests.conftest import shared_file
from tests.import_helpers import counts, run
from tests.osm_fixture import write_osm

pytestmark = pytest.mark.django_db


def import_osm(path: Path, *args: str) -> str:
    return run("import_osm", path, "--no-progress", *args)


def test_it_imports_every_layer_and_changes_nothing_on_a_rerun(demo_db: None,
                                                               tmp_path: Path) -> None:
    path = write_osm(tmp_path / "lattice.osm")
    out = import_osm(path)
    src = path.name
    # 7 × 7 junctions; osmnx folds the 4 corners (degree 2) into their edges.
    assert WalkNode.objects.filter(source=src).count() == 45
    assert WalkEdge.objects.filter(source=src).count() == 2 * 7 * 6 - 4
    buildings = Building.objects.filter(source=src)
    assert buildings.count() == 72 and all(b.levels == 18 for b in buildings)
    b = buildings.first()
    assert b is not None and b.households_estimated
    area = abs(GEOD.geometry_area_perimeter(from_wkb(bytes(b.geom.wkb)))[0])
    assert b.households == round(area * 18 * 0.8 / 90)
    compound = Compound.objects.get(name="测试0-0小区")
    assert compound.households == sum(x.households for x in compound.buildings.all()) > 0
    assert set(LandFeature.objects.filter(source=src).values_list("kind", flat=True)) == \
        {"residential", "water", "park", "transport"}
    # A railway station above ground is transport land; a metro station's outline is not.
    assert LandFeature.objects.get(source=src, name="测试火车站").kind == "transport"
    assert not LandFeature.objects.filter(source=src, name="测试地铁站").exists()
    assert set(CoBuildingUnit.objects.filter(source=src, candidate=True)
               .values_list("name", "unit_type")) == {("测试小学", "institution"),
                                                      ("测试区民政局", "organ")}
    assert "buildings: 72 created" in out
    before = counts()
    again = import_osm(path)
    assert counts() == before
    for line in again.splitlines()[:-1]:
        assert " 0 created, 0 updated, 0 deleted" in line, line


def test_it_keeps_real_household_counts(demo_db: None, tmp_path: Path) -> None:
    path = write_osm(tmp_path / "lattice.osm")
    import_osm(path)
    real = Building.objects.filter(source=path.name).order_by("osm_id").first()
    assert real is not None
    Building.objects.filter(pk=real.pk).update(households=7, households_estimated=False)
    import_osm(path, "--m2-per-household", "45")
    real.refresh_from_db()
    assert (real.households, real.households_estimated) == (7, False)
    other = Building.objects.filter(source=path.name).exclude(pk=real.pk).first()
    assert other is not None
    area = abs(GEOD.geometry_area_perimeter(from_wkb(bytes(other.geom.wkb)))[0])
    assert other.households == round(area * 18 * 0.8 / 45)


def test_it_reads_pbf_like_xml(demo_db: None, tmp_path: Path) -> None:
    xml = write_osm(tmp_path / "lattice.osm")
    pbf = tmp_path / "lattice.osm.pbf"
    convert_osm(xml, pbf)
    import_osm(xml)
    nodes = WalkNode.objects.count()
    out = import_osm(pbf)
    # Every OSM object is stored once, whatever file brought it: buildings and the network.
    assert "buildings: 0 created, 0 updated, 0 deleted, 72 unchanged" in out
    assert "walk nodes: 0 created, 0 updated, 0 deleted, 45 unchanged" in out
    assert WalkNode.objects.count() == nodes


def test_it_refuses_a_broken_file_and_writes_nothing(demo_db: None, tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm"
    bad.write_text("<osm><node id='1' lat='x'", encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="nothing written"):
        import_osm(bad)
    with pytest.raises(CommandError, match="nothing written"):
        import_osm(tmp_path / "missing.osm.pbf")
    assert counts() == before


@pytest.mark.slow
def test_it_imports_central_chengdu(demo_db: None) -> None:
    path = shared_file("chengdu-center.osm")
    out = import_osm(path)
    assert "buildings: 800 created" in out and "compounds: 186 created" in out
    assert WalkEdge.objects.filter(source=path.name).count() > 4000
    assert LandFeature.objects.filter(source=path.name, kind="water").exists()


def test_it_keeps_the_inside_of_ways_cut_at_the_extracts_edge(demo_db: None,
                                                              tmp_path: Path) -> None:
    """A clipped extract (any city cut from a larger file) names nodes it does not hold."""
    path = write_osm(tmp_path / "city.osm")
    text = path.read_text(encoding="utf-8")
    # A road running past the edge, and a building outline cut open by it.
    text = text.replace('<way id="1" version="1">',
                        '<way id="1" version="1"><nd ref="990001"/><nd ref="990002"/>', 1)
    text = text.replace("</osm>", '<way id="880001" version="1"><nd ref="990003"/>'
                        '<nd ref="1"/><nd ref="2"/><nd ref="990003"/>'
                        '<tag k="building" v="yes"/></way></osm>')
    clipped = tmp_path / "clipped.osm"
    clipped.write_text(text, encoding="utf-8")
    out = run("import_osm", clipped, "--no-progress")
    assert "2 ways ran past the extract's edge" in out
    whole = read_osm(path)
    cut = read_osm(clipped)
    assert cut.clipped_ways == 2 and len(cut.edges) == len(whole.edges)
    # A PBF's error names the user's file, not the temporary XML it was turned into.
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"not a pbf")
    with pytest.raises(OsmReadError, match=r"broken\.osm\.pbf"):
        read_osm(bad)
