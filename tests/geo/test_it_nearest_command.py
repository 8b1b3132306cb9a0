"""nearest: walking answers equal networkx Dijkstra on the demo network; KNN equals brute force."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError
from pyproj import Geod

from geo.analysis.chinacoords import wgs84_to_gcj02
from geo.models import Community, ServiceCenter
from geo.services.network import walk_graph
from tests.analysis_helpers import run_json
from tests.walk_fixture import reference_distances

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="WGS84")


def community_point(k: int) -> tuple[float, float]:
    """A point inside the k-th demo community, nudged off its interior-point vertex."""
    p = Community.objects.order_by("code")[k].geom.point_on_surface
    return (p.x + 1e-5, p.y)


@pytest.mark.parametrize("k", [0, 7, 21, 35])
def test_it_walks_to_the_same_centers_as_brute_force_dijkstra(demo_db: None, k: int) -> None:
    point = community_point(k)
    answer = run_json("nearest", str(point[0]), str(point[1]), "--k", "3")
    centers = list(ServiceCenter.objects.order_by("id"))
    xy = np.array([(c.location.x, c.location.y) for c in centers])
    ref = reference_distances(walk_graph(), xy, point)
    order = np.argsort(ref)[:3]
    assert [c["distance_m"] for c in answer["centers"]] == pytest.approx(
        [ref[i] for i in order], abs=0.06)
    assert answer["centers"][0]["id"] == centers[order[0]].id
    first = answer["centers"][0]
    assert first["route"]["coordinates"][0] == pytest.approx(list(point))
    assert first["walk_minutes"] == pytest.approx(first["distance_m"] / 60, abs=0.06)
    assert answer["place"]["community"]["code"].startswith("510199")
    assert answer["place"]["grid"]["workers"]


def test_it_finds_the_straight_line_nearest_like_a_full_scan(demo_db: None) -> None:
    lon, lat = community_point(3)
    answer = run_json("nearest", str(lon), str(lat), "--k", "5", "--by", "straight")
    centers = list(ServiceCenter.objects.all())
    dists = sorted(GEOD.inv(lon, lat, c.location.x, c.location.y)[2] for c in centers)
    assert [c["distance_m"] for c in answer["centers"]] == pytest.approx(dists[:5], abs=0.06)
    assert all(c["route"] is None for c in answer["centers"])


def test_it_takes_amap_coordinates(demo_db: None) -> None:
    lon, lat = community_point(12)
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    plain = run_json("nearest", str(lon), str(lat), "--k", "1")
    amap = run_json("nearest", str(glon), str(glat), "--k", "1", "--crs", "gcj02")
    assert amap["query"]["wgs84"] == pytest.approx([lon, lat], abs=1e-8)
    assert amap["centers"][0]["distance_m"] == pytest.approx(plain["centers"][0]["distance_m"],
                                                             abs=0.05)


def test_it_says_when_a_point_is_outside_and_far(demo_db: None) -> None:
    answer = run_json("nearest", "104.30", "30.70")
    codes = {n["code"] for n in answer["notices"]}
    assert {"outside_communities", "far_from_network"} <= codes
    assert answer["place"] is None


def test_it_refuses_bad_arguments(demo_db: None) -> None:
    with pytest.raises(CommandError, match="--k"):
        run_json("nearest", "104.16", "30.56", "--k", "0")
    with pytest.raises(CommandError, match="LAT"):
        run_json("nearest", "104.16", "95")
