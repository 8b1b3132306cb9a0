"""Small seeded walking graphs and an independent networkx reference (tests only)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np

from geo.analysis.network import Snap, WalkGraph

BASE = (104.16, 30.56)
DEG_M = 1 / 111_000.0


def random_graph(seed: int, n: int = 30, extra: int = 20) -> WalkGraph:
    """A connected random graph in a ~1 km square: a spanning tree plus extra edges.

    Lengths are the straight distance times a factor in [1, 1.5] (winding roads), and
    some edges are doubled with a different length to exercise parallel edges.
    """
    rng = np.random.default_rng(seed)
    lonlat = np.array(BASE) + rng.uniform(0, 1000 * DEG_M, size=(n, 2))
    us, vs = [], []
    for i in range(1, n):
        us.append(i)
        vs.append(int(rng.integers(0, i)))
    for _ in range(extra):
        a, b = rng.integers(0, n, size=2)
        if a != b:
            us.append(int(a))
            vs.append(int(b))
    u, v = np.array(us), np.array(vs)
    straight = np.hypot(*(lonlat[u] - lonlat[v]).T) / DEG_M
    length = np.maximum(straight, 1.0) * rng.uniform(1.0, 1.5, size=u.size)
    return WalkGraph.from_arrays(lonlat, u, v, length)


def random_points(seed: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 10_000)
    return np.array(BASE) + rng.uniform(-100 * DEG_M, 1100 * DEG_M, size=(k, 2))


def reference_distances(graph: WalkGraph, centers: np.ndarray,
                        query: tuple[float, float]) -> list[float]:
    """Walking metres from ``query`` to every center, by networkx on a split graph.

    Every edge is cut at the snapped positions of the centers and the query, and each
    point hangs off its cut by its access distance; then plain Dijkstra.
    """
    pts = np.vstack([centers, np.asarray(query).reshape(1, 2)])
    snap: Snap = graph.snap(pts)
    g = nx.Graph()
    cuts: dict[int, list[tuple[float, str]]] = {}
    for i in range(len(pts)):
        cuts.setdefault(int(snap.edge[i]), []).append((float(snap.along[i]), f"p{i}"))
    for e in range(graph.n_edges):
        u, v, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_length[e])
        chain = [(0.0, u), *sorted(cuts.get(e, [])), (length, v)]
        for (a0, n0), (a1, n1) in itertools.pairwise(chain):
            key = (f"{n0}", f"{n1}")
            w = a1 - a0
            if key[0] == key[1]:
                continue
            if g.has_edge(*key):
                w = min(w, g.edges[key]["w"])
            g.add_edge(*key, w=w)
    for i in range(len(pts)):
        g.add_edge(f"p{i}", f"x{i}", w=float(snap.access[i]))
    q = f"x{len(pts) - 1}"
    dist = nx.single_source_dijkstra_path_length(g, q, weight="w")
    return [dist.get(f"x{i}", float("inf")) for i in range(len(centers))]
