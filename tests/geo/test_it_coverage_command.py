"""coverage: shares from walking distances that equal networkx Dijkstra on the demo."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import Polygon
from django.core.management import CommandError

from geo.models import Building, ServiceCenter
from geo.services.network import walk_graph
from tests.analysis_helpers import run_json
from tests.walk_fixture import reference_distances

pytestmark = pytest.mark.django_db


def test_it_reports_shares_per_level_that_agree_with_brute_force(demo_db: None) -> None:
    result = run_json("coverage", "--reach", "300,500,1000")
    assert set(result["levels"]) == {"grid", "community", "street", "district"}
    district = result["levels"]["district"][0]
    assert district["within_300m"] <= district["within_500m"] <= district["within_1000m"]
    # Recompute one community's shares with networkx distances per building.
    comm = result["levels"]["community"][5]
    licensed = list(ServiceCenter.objects.filter(licensed=True).order_by("id"))
    xy = np.array([(c.location.x, c.location.y) for c in licensed])
    graph = walk_graph()
    hh_total, within = 0, {300: 0, 500: 0, 1000: 0}
    for b in Building.objects.filter(community__code=comm["code"], households__gt=0):
        p = b.geom.point_on_surface
        d = min(reference_distances(graph, xy, (p.x, p.y)))
        hh_total += b.households
        for r in within:
            within[r] += b.households * (d <= r)
    assert comm["households"] == hh_total
    for r, hh in within.items():
        assert comm[f"within_{r}m"] == pytest.approx(hh / hh_total, abs=1e-4)


def test_it_lists_uncovered_compounds_and_draws_reach_areas(demo_db: None) -> None:
    result = run_json("coverage", "--reach", "300")
    assert all(c["distance_m"] is None or c["distance_m"] > 300
               for c in result["uncovered_compounds"])
    assert result["uncovered_compounds"], "the demo has compounds beyond 300 m"
    areas = result["reach_areas"]["features"]
    assert {f["properties"]["reach_m"] for f in areas} == {300.0}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in areas)


def test_it_limits_to_a_scope_and_refuses_unknown_ones(demo_db: None) -> None:
    street = run_json("coverage", "--scope", "510199001")["levels"]["community"]
    assert street and all(r["code"].startswith("510199001") for r in street)
    with pytest.raises(CommandError, match="510199999"):
        run_json("coverage", "--scope", "510199999")
    with pytest.raises(CommandError, match="--reach"):
        run_json("coverage", "--reach", "abc")


# What the buildings query said before grids were assigned in Python: one grid lookup per
# building, the lowest code on a shared edge.
LATERAL_SQL = """
SELECT b.id, ST_X(p), ST_Y(p), b.households, g.code, c.code, b.compound_id
FROM geo_building b
CROSS JOIN LATERAL ST_PointOnSurface(b.geom) AS p
LEFT JOIN LATERAL (SELECT code FROM geo_gridunit g WHERE ST_Covers(g.geom, p)
                   ORDER BY code LIMIT 1) g ON true
LEFT JOIN geo_community c ON c.id = b.community_id
WHERE b.households > 0 AND coalesce(c.code, g.code, '') LIKE %s
ORDER BY b.id
"""


@pytest.mark.parametrize("scope", ["", "510199", "510199002"])
def test_it_finds_each_buildings_grid_as_the_per_building_lookup_did(
        demo_db: None, scope: str) -> None:
    from django.db import connection

    from geo.models import Community, GridUnit
    from geo.services.coverage import _buildings

    # A building on the edge two grids share, and one in no community (counted by its grid).
    grid = GridUnit.objects.filter(code__startswith="510199002").order_by("code")[1]
    x, y = shapely.get_coordinates(shapely.from_wkb(bytes(grid.geom.wkb)))[0]
    community = Community.objects.get(code=grid.code[:12])
    d = 1e-5  # a small square around a grid corner: its point on surface is on the edges
    Building.objects.create(geom=Polygon.from_bbox((x - d, y - d, x + d, y + d)),
                            households=7, community=community)
    p = grid.geom.point_on_surface
    Building.objects.create(geom=Polygon.from_bbox((p.x - d, p.y - d, p.x + d, p.y + d)),
                            households=3, community=None)
    with connection.cursor() as cur:
        ours = _buildings(cur, scope)
        cur.execute(LATERAL_SQL, [scope + "%"])
        theirs = cur.fetchall()
    assert len(ours) == len(theirs) > 0
    assert ours == theirs
