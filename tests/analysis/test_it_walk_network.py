"""The sparse walking graph: snapping, the multi-source field and k-nearest, against networkx."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.analysis.nearest import CenterField, walk_matrix
from geo.analysis.network import NetworkError, WalkGraph
from tests.walk_fixture import DEG_M, random_graph, random_points, reference_distances

seeds = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_it_snaps_to_the_nearest_edge_not_node(seed: int) -> None:
    graph = random_graph(seed)
    pts = random_points(seed, 25)
    snap = graph.snap(pts)
    xy = graph.project(pts)
    for i, (x, y) in enumerate(xy):
        brute = min(shapely.distance(shapely.Point(x, y), line) for line in graph.lines_m)
        assert snap.access[i] == pytest.approx(brute, abs=1e-6)
        assert 0 <= snap.along[i] <= graph.edge_length[snap.edge[i]] + 1e-9


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n_centers=st.integers(min_value=1, max_value=6))
def test_it_field_equals_brute_force_dijkstra(seed: int, n_centers: int) -> None:
    graph = random_graph(seed)
    centers = random_points(seed + 1, n_centers)
    field = CenterField.build(graph, centers)
    queries = random_points(seed + 2, 8)
    dist, src, _ = field.distances(queries)
    for i, q in enumerate(queries):
        ref = reference_distances(graph, centers, tuple(q))
        assert dist[i] == pytest.approx(min(ref), rel=1e-9, abs=1e-6)
        assert ref[src[i]] == pytest.approx(min(ref), rel=1e-9, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, n_centers=st.integers(min_value=1, max_value=8),
       k=st.integers(min_value=1, max_value=5))
@example(seed=1179, n_centers=3, k=3)  # all nodes settled, last center beyond the radius
def test_it_k_nearest_equals_brute_force(seed: int, n_centers: int, k: int) -> None:
    graph = random_graph(seed)
    centers = random_points(seed + 1, n_centers)
    field = CenterField.build(graph, centers)
    q = tuple(random_points(seed + 3, 1)[0])
    answers = field.k_nearest(q, k, first_radius_m=50.0)
    ref = sorted(reference_distances(graph, centers, q))
    assert [a.distance_m for a in answers] == pytest.approx(ref[:k], rel=1e-9, abs=1e-6)
    nearest = field.nearest(q)
    assert nearest is not None
    assert nearest.distance_m == pytest.approx(ref[0], rel=1e-9, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_centers=st.integers(min_value=1, max_value=5))
@example(seed=2651, n_centers=4)  # point and center snap to one vertex: mm round-trip error
def test_it_routes_run_from_the_point_to_the_center_with_the_walked_length(
        seed: int, n_centers: int) -> None:
    graph = random_graph(seed)
    centers = random_points(seed + 1, n_centers)
    field = CenterField.build(graph, centers)
    q = tuple(random_points(seed + 4, 1)[0])
    for answer in [field.nearest(q), *field.k_nearest(q, 3)]:
        assert answer is not None
        route = answer.route
        assert route[0] == pytest.approx(q)
        assert route[-1] == pytest.approx(tuple(centers[answer.center]))
        # Edge lengths are up to 1.5x their straight geometry, so the drawn route is
        # never longer than the walked metres (and at least the straight distance).
        # Routes are drawn in WGS84; PROJ's inverse equal-area projection (a truncated
        # authalic-latitude series) moves a vertex by up to a few millimetres, hence 1 cm.
        drawn = shapely.LineString(graph.project(route)).length
        straight = math.dist(graph.project([q])[0], graph.project([route[-1]])[0])
        assert straight - 0.01 <= drawn <= answer.distance_m + 0.01


def test_it_parallel_edges_keep_the_shortest() -> None:
    lonlat = [(104.0, 30.0), (104.0 + 100 * DEG_M, 30.0)]
    graph = WalkGraph.from_arrays(lonlat, [0, 0, 1], [1, 1, 0], [180.0, 120.0, 150.0])
    assert graph.matrix[0, 1] == 120.0
    assert graph.matrix[1, 0] == 120.0
    assert graph.arc_edge(0, 1) == 1


def test_it_refuses_an_empty_or_broken_network() -> None:
    with pytest.raises(NetworkError, match="路网为空"):
        WalkGraph.from_arrays(np.zeros((0, 2)), [], [], [])
    with pytest.raises(NetworkError, match="positive"):
        WalkGraph.from_arrays([(104, 30), (104.001, 30)], [0], [1], [0.0])
    with pytest.raises(NetworkError, match="node indices"):
        WalkGraph.from_arrays([(104, 30), (104.001, 30)], [0], [2], [10.0])


def test_it_unreachable_centers_are_inf_not_wrong() -> None:
    # Two components 1 km apart; the only center is on the other one.
    d = 100 * DEG_M
    lonlat = [(104.0, 30.0), (104.0 + d, 30.0), (104.0 + 10 * d, 30.0), (104.0 + 11 * d, 30.0)]
    graph = WalkGraph.from_arrays(lonlat, [0, 2], [1, 3], [100.0, 100.0])
    field = CenterField.build(graph, [(104.0 + 10.5 * d, 30.0)])
    dist, src, _ = field.distances([(104.0 + 0.5 * d, 30.0)])
    assert math.isinf(dist[0]) and src[0] == -1
    assert field.k_nearest((104.0 + 0.5 * d, 30.0), 3) == []
    assert field.nearest((104.0 + 0.5 * d, 30.0)) is None


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_it_walk_matrix_equals_brute_force(seed: int) -> None:
    graph = random_graph(seed)
    origins = random_points(seed + 5, 4)
    targets = random_points(seed + 6, 5)
    matrix = walk_matrix(graph, origins, targets, chunk=2)
    for i, q in enumerate(origins):
        ref = reference_distances(graph, targets, tuple(q))
        assert matrix[i] == pytest.approx(ref, rel=1e-9, abs=1e-6)
    # Cut off at a limit: the same metres up to it, inf past it.
    limit = float(np.median(matrix))
    cut = walk_matrix(graph, origins, targets, chunk=2, limit=limit)
    near = matrix <= limit
    assert cut[near] == pytest.approx(matrix[near], rel=1e-12)
    assert np.all(np.isinf(cut[~near]))
