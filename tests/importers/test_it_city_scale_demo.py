"""The synthetic city (``load_demo --scale``): the same seed gives the same city, and what is
written is a consistent city — grids tile their communities inside the range, every building
and member lies in its community, the network's nodes and edges agree."""

from __future__ import annotations

import io

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.db import connection

from geo.analysis.rules import load_profile
from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    GridUnit,
    ReportingMember,
    ServiceCenter,
    WalkEdge,
    WalkNode,
)
from geo.services.rules import run_grid_checks
from importers.demo.city import SMALL, SOURCE, generate_city_tables


def test_it_gives_the_same_city_for_the_same_seed_and_keeps_the_rules() -> None:
    a, b = generate_city_tables(SMALL, seed=7), generate_city_tables(SMALL, seed=7)
    assert a.counts() == b.counts()
    assert a.members["name"] == b.members["name"]
    assert np.array_equal(a.edges["length_m"], b.edges["length_m"])
    assert generate_city_tables(SMALL, seed=8).members["name"] != a.members["name"]
    counts = a.counts()
    n = SMALL.cells_per_side
    assert counts["nodes"] == (n + 1) ** 2 and counts["edges"] == 2 * n * (n + 1)
    hh = a.grids["households"]
    assert hh.min() >= 150 and hh.max() <= 500
    # Grids tile each community: their areas add up and they do not overlap.
    geoms = np.asarray(a.grids["geom"])
    for c, comm in enumerate(a.communities["geom"]):
        mine = geoms[a.grids["community"] == c]
        assert abs(shapely.union_all(mine).area - comm.area) < 1e-12
        assert abs(sum(g.area for g in mine) - comm.area) < 1e-12
    # Household totals agree between buildings, grids and communities.
    assert a.buildings["households"].sum() == a.communities["households"].sum() == hh.sum()
    # Every edge joins two nodes one cell apart (25 m), measured on the ellipsoid.
    assert np.allclose(a.edges["length_m"], SMALL.cell_m, rtol=2e-3)


@pytest.mark.django_db
def test_it_loads_the_small_city_with_copy_and_everything_is_where_it_says() -> None:
    out = io.StringIO()
    call_command("load_demo", "--scale", "city-small", stdout=out)
    tables = generate_city_tables(SMALL)
    counts = tables.counts()
    assert Community.objects.filter(source=SOURCE).count() == counts["communities"] == 16
    assert GridUnit.objects.filter(source=SOURCE).count() == counts["grids"]
    assert Building.objects.filter(source=SOURCE).count() == counts["buildings"]
    assert WalkNode.objects.filter(source=SOURCE).count() == counts["nodes"]
    assert WalkEdge.objects.filter(source=SOURCE).count() == counts["edges"]
    assert ReportingMember.objects.filter(source=SOURCE).count() == counts["members"]
    assert "16" in out.getvalue()
    # Audited tables got their history, as from bulk_create with history.
    grid = GridUnit.objects.filter(source=SOURCE).order_by("code").first()
    assert grid is not None and grid.history.get().history_type == "+"
    assert grid.workers and grid.workers[0]["name"]
    with connection.cursor() as cur:
        # Buildings and members lie in the community they name; grids within theirs.
        for table, geom, fk in (("geo_building", "geom", "community_id"),
                                ("geo_reportingmember", "residence", "residence_community_id"),
                                ("geo_gridunit", "geom", "community_id")):
            cur.execute(f"SELECT count(*) FROM {table} t JOIN geo_community c ON c.id = t.{fk} "
                        f"WHERE t.source = %s AND NOT ST_Covers(c.geom, t.{geom})", [SOURCE])
            assert cur.fetchone() == (0,), table
        # Each edge's ends are its nodes' points; its length is its geodesic length.
        cur.execute("SELECT count(*), max(abs(e.length_m - ST_Length(e.geom::geography))) "
                    "FROM geo_walkedge e JOIN geo_walknode a ON a.id = e.start_id "
                    "JOIN geo_walknode b ON b.id = e.end_id WHERE e.source = %s "
                    "AND ST_Equals(ST_StartPoint(e.geom), a.geom) "
                    "AND ST_Equals(ST_EndPoint(e.geom), b.geom)", [SOURCE])
        matched, worst = cur.fetchone()
    assert matched == counts["edges"] and worst < 0.05
    assert ServiceCenter.objects.filter(source=SOURCE, level="community").exists()
    # The grid checks find nothing: grids tile their communities once projected (outlines
    # share their vertices) and are numbered in reading order.
    checks = run_grid_checks("519901", load_profile(None))
    assert checks["findings"] == [] and checks["ok"]
    assert CoBuildingUnit.objects.filter(source=SOURCE).count() == 160
    # A second load replaces the first rather than doubling it.
    call_command("load_demo", "--scale", "city-small", stdout=io.StringIO())
    assert Community.objects.filter(source=SOURCE).count() == 16
