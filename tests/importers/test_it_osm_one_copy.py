"""One copy of each OSM object whichever command loaded it (issue 16, item 4).

``import_osm`` then ``load_demo --osm`` on one file stored every building and walk node
twice, and coverage then reported more covered households than a community has. Both
orders now leave one building per OSM building and one walk node per OSM node.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from geo.analysis.rules import load_profile
from geo.models import Building, Community, Compound, GridUnit, WalkEdge, WalkNode
from geo.services.coverage import run_coverage
from tests.import_helpers import run
from tests.osm_fixture import write_osm

pytestmark = pytest.mark.django_db


def _assert_one_copy() -> None:
    for model in (Building, Compound, WalkNode):
        twice = (model.objects.exclude(osm_id=None).values("osm_id")
                 .annotate(n=Count("id")).filter(n__gt=1).count())
        assert twice == 0, model.__name__
    assert WalkEdge.objects.filter(start__in=WalkNode.objects.values("id")).count() == \
        WalkEdge.objects.count()


def _shares_at_most_one() -> None:
    """Coverage counts each household once: never more than the community holds."""
    answer = run_coverage("", [300.0, 1000.0], load_profile(None))
    held = dict(Community.objects.values_list("code", "households"))
    rows = answer["levels"]["community"]
    assert rows
    for row in rows:
        assert row["households"] <= held[row["code"]], row


def test_it_keeps_one_copy_when_the_demo_follows_an_import(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "lattice.osm")
    run("import_osm", path, "--no-progress")
    # Rows from OSM only: the session's generated demo (no OSM ids) is replaced by the demo.
    buildings = Building.objects.exclude(osm_id=None).count()
    nodes = WalkNode.objects.exclude(osm_id=None).count()
    first = Building.objects.exclude(osm_id=None).order_by("pk").values_list("pk", flat=True)[0]
    Building.objects.filter(pk=first).update(households=321, households_estimated=False)
    entered = Building.objects.get(pk=first).osm_id
    call_command("load_demo", "--osm", str(path), stdout=io.StringIO())
    _assert_one_copy()
    assert Building.objects.exclude(osm_id=None).count() == buildings
    assert WalkNode.objects.exclude(osm_id=None).count() == nodes
    kept = Building.objects.get(osm_id=entered)
    assert kept.households == 321 and not kept.households_estimated  # the entered count
    for comm in Community.objects.all():  # ... and the totals above it follow
        assert sum(GridUnit.objects.filter(community=comm)
                   .values_list("households", flat=True)) == comm.households
    _shares_at_most_one()


def test_it_keeps_one_copy_when_an_import_follows_the_demo(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "lattice.osm")
    call_command("load_demo", "--osm", str(path), stdout=io.StringIO())
    buildings = Building.objects.count()
    nodes, edges = WalkNode.objects.count(), WalkEdge.objects.count()
    run("import_osm", path, "--no-progress")
    _assert_one_copy()
    assert Building.objects.count() == buildings
    assert (WalkNode.objects.count(), WalkEdge.objects.count()) == (nodes, edges)
    _shares_at_most_one()
