"""Direction-sign sites (指引牌): on main-road intersections inside the reach, scored by the
households whose walk joins the main road there (checked against networkx paths), with
bearings that point at the center."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.network import WalkGraph
from geo.analysis.signs import GEOD, SignRules, bearing, compass, plan_signs
from tests.walk_fixture import BASE, DEG_M, random_graph, random_points


def _reference_scores(graph: WalkGraph, center: tuple[float, float], homes: np.ndarray,
                      w: np.ndarray, main: np.ndarray, reach: float,
                      min_from_center: float) -> tuple[dict[int, float], dict[int, float]]:
    """Per candidate node, the households whose shortest walk first meets it; and the
    walking distance of every node, by networkx on the edge list."""
    g = nx.Graph()
    for e in range(graph.n_edges):
        u, v, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_length[e])
        if u != v and (not g.has_edge(u, v) or g.edges[u, v]["w"] > length):
            g.add_edge(u, v, w=length)
    s = graph.snap([center])
    e0, a0 = int(s.edge[0]), float(s.along[0])
    acc = float(s.access[0])  # from the door to the road
    # A center snapped onto an end of its edge stands at that node.
    if a0 < float(graph.edge_length[e0]):
        g.add_edge("C", int(graph.edge_u[e0]), w=acc + a0)
    if a0 > 0:
        g.add_edge("C", int(graph.edge_v[e0]), w=acc + float(graph.edge_length[e0]) - a0)
    dist, paths = nx.single_source_dijkstra(g, "C", weight="w")
    on_main = {int(x) for e in np.flatnonzero(main)
               for x in (graph.edge_u[e], graph.edge_v[e])}
    # An intersection has three streets: the center's own link is not one.
    cand = {x for x in on_main if x in dist and g.degree(x) - g.has_edge(x, "C") >= 3
            and min_from_center <= dist[x] <= reach}
    hs = graph.snap(homes)
    scores: dict[int, float] = {}
    for i in range(len(homes)):
        e = int(hs.edge[i])
        u, v = int(graph.edge_u[e]), int(graph.edge_v[e])
        via_u = hs.access[i] + hs.along[i] + dist.get(u, np.inf)
        via_v = hs.access[i] + graph.edge_length[e] - hs.along[i] + dist.get(v, np.inf)
        if min(via_u, via_v) > reach:
            continue
        entry = u if via_u <= via_v + 1e-6 else v  # a home at u starts at u
        for x in reversed(paths[entry]):  # from the home's side towards the center
            if x in cand:
                scores[x] = scores.get(x, 0.0) + float(w[i])
                break
    return scores, {k: v for k, v in dist.items() if k != "C"}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**20), reach=st.sampled_from([600.0, 900.0, 2000.0]))
def test_it_scores_sites_as_networkx_paths_do(seed: int, reach: float) -> None:
    graph = random_graph(seed, n=40, extra=40)
    rng = np.random.default_rng(seed)
    main = rng.random(graph.n_edges) < 0.3
    center = tuple(random_points(seed, 1)[0])
    homes = random_points(seed + 1, 25)
    w = rng.integers(1, 60, size=25).astype(float)
    plan = plan_signs(graph, center, homes, w, main,
                      SignRules(reach_m=reach, max_signs=3, min_spacing_m=120))
    ref, dist = _reference_scores(graph, center, homes, w, main, reach, 30.0)
    # The greedy choice over the reference scores, spacing respected.
    expected: list[int] = []
    for x in sorted(ref, key=lambda x: (-ref[x], dist[x], x)):
        if len(expected) == 3:
            break
        xy = graph.project(graph.lonlat[[x, *expected]])
        if all(np.hypot(*(xy[0] - xy[k])) >= 120 for k in range(1, len(xy))):
            expected.append(x)
    assert [s.node for s in plan.sites] == expected
    for s in plan.sites:
        assert s.households == pytest.approx(ref[s.node])
        assert s.walk_m == pytest.approx(dist[s.node]) and 30 <= s.walk_m <= reach
        assert main[s.main_edge] and s.node in (graph.edge_u[s.main_edge],
                                                graph.edge_v[s.main_edge])
        _assert_points_at(s.lon, s.lat, s.bearing_deg, center)
    assert plan.households_guided <= plan.households_served + 1e-9


def _assert_points_at(lon: float, lat: float, deg: float, center: tuple[float, ...]) -> None:
    """Walking the straight distance along ``deg`` from the site arrives at the center."""
    _az, _back, far = GEOD.inv(lon, lat, center[0], center[1])
    x, y, _ = GEOD.fwd(lon, lat, deg, far)
    _az2, _b2, miss = GEOD.inv(x, y, center[0], center[1])
    assert miss < 0.01


def _grid(n: int = 7, step_m: float = 100.0) -> tuple[WalkGraph, np.ndarray]:
    """An n×n street grid; the main road is the row y = 3 (east–west)."""
    idx = np.arange(n * n).reshape(n, n)  # idx[row(y), col(x)]
    lonlat = np.array([(BASE[0] + c * step_m * DEG_M, BASE[1] + r * step_m * DEG_M)
                       for r in range(n) for c in range(n)])
    u, v, main = [], [], []
    for r in range(n):
        for c in range(n):
            if c + 1 < n:
                u.append(idx[r, c])
                v.append(idx[r, c + 1])
                main.append(r == 3)
            if r + 1 < n:
                u.append(idx[r, c])
                v.append(idx[r + 1, c])
                main.append(False)
    rng = np.random.default_rng(1)  # a little unevenness so no two walks tie
    length = step_m * (1 + rng.uniform(0, 0.02, size=len(u)))
    return WalkGraph.from_arrays(lonlat, u, v, length), np.array(main)


def test_it_puts_signs_where_walks_from_homes_join_the_main_road() -> None:
    graph, main = _grid()
    # The center just south of the main road; homes in the far north-east and north-west.
    center = (BASE[0] + 300 * DEG_M, BASE[1] + 150 * DEG_M)
    homes = np.array([(BASE[0] + 600 * DEG_M, BASE[1] + 600 * DEG_M),
                      (BASE[0] + 0 * DEG_M, BASE[1] + 580 * DEG_M)])
    plan = plan_signs(graph, center, homes, [120, 40], main, SignRules(reach_m=1000))
    assert plan.households_served == 160
    rows = {round((s.lat - BASE[1]) / DEG_M) for s in plan.sites}
    assert rows == {300}  # every sign stands on the main road
    assert plan.sites[0].households >= plan.sites[-1].households
    assert plan.households_guided == 160  # both walks cross the main road
    for s in plan.sites:
        _assert_points_at(s.lon, s.lat, s.bearing_deg, center)
        assert 90 < s.bearing_deg < 270 or s.walk_m < 200  # the center lies south
    # A sign already standing at the best site: the plan adds the others around it.
    assert len(plan.sites) == 2
    kept = [(plan.sites[0].lon, plan.sites[0].lat)]
    more = plan_signs(graph, center, homes, [120, 40], main, SignRules(reach_m=1000), kept)
    assert [s.node for s in more.sites] == [s.node for s in plan.sites[1:]]
    full = plan_signs(graph, center, homes, [120, 40], main,
                      SignRules(reach_m=1000, max_signs=1), kept)
    assert full.sites == []
    # Out of reach: nothing to sign.
    none = plan_signs(graph, center, homes, [120, 40], main, SignRules(reach_m=100))
    assert none.sites == [] and none.households_served == 0


def test_it_names_compass_points_and_bearings() -> None:
    assert bearing(104.0, 30.0, 104.0, 30.01) == pytest.approx(0.0, abs=1e-6)
    assert bearing(104.0, 30.0, 104.01, 30.0) == pytest.approx(90.0, abs=0.1)
    assert [compass(d) for d in (0, 44, 46, 90, 180, 270, 337.4, 337.6)] == [
        0, 1, 1, 2, 4, 6, 7, 0]


def test_it_refuses_malformed_input() -> None:
    graph, main = _grid(3)
    with pytest.raises(ValueError, match="one flag per edge"):
        plan_signs(graph, BASE, [], [], main[:-1], SignRules(500))
    with pytest.raises(ValueError, match="one weight"):
        plan_signs(graph, BASE, [BASE], [], main, SignRules(500))
    with pytest.raises(ValueError, match="reach_m"):
        SignRules(reach_m=0)
