"""Analysis benchmarks: nearest center, city-scale coverage, pairing. Figures printed only.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_analysis.py [--quick]``). Every
figure sits beside a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from geo.analysis.network import WalkGraph  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_nearest(quick: bool) -> None:
    import django

    django.setup()
    from django.db import connection

    from geo.analysis.rules import load_profile
    from geo.models import Community
    from geo.services.nearest import nearest_centers

    profile = load_profile(None)
    rng = np.random.default_rng(1)
    comms = list(Community.objects.all())
    if not comms:
        print("nearest: no data; run make demo-data first")
        return
    pts = []
    for _ in range(200 if not quick else 40):
        c = comms[int(rng.integers(len(comms)))]
        x0, y0, x1, y1 = c.geom.extent
        pts.append((float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))))
    nearest_centers(*pts[0], 3, "walk", "wgs84", profile)  # build the graph once
    it = iter(pts * 3)
    walk = timed(lambda: nearest_centers(*next(it), 3, "walk", "wgs84", profile), len(pts))
    it = iter(pts * 3)
    straight = timed(lambda: nearest_centers(*next(it), 3, "straight", "wgs84", profile),
                     len(pts))

    def raw_knn() -> None:
        x, y = next(it)
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM geo_servicecenter ORDER BY location <-> "
                        "ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 3", [x, y])
            cur.fetchall()

    it = iter(pts * 3)
    raw = timed(raw_knn, len(pts))
    print(f"nearest (k=3) in-process over {len(pts)} points: walk median "
          f"{statistics.median(walk):.2f} ms p99 {pct(walk, 99):.2f} ms; straight median "
          f"{statistics.median(straight):.2f} ms p99 {pct(straight, 99):.2f} ms; raw KNN SQL "
          f"median {statistics.median(raw):.3f} ms (walk/raw "
          f"{statistics.median(walk) / statistics.median(raw):.0f}x)")
    bench_http(pts, 5 if quick else 15)


def bench_http(pts: list[tuple[float, float]], seconds: int) -> None:
    """Requests per second over loopback against gunicorn with 2 workers."""
    from tests.bench.loadgen import run_clients, start_gunicorn

    port = 8765
    url = f"http://127.0.0.1:{port}/api/v1/centers/nearest?lon={{}}&lat={{}}&k=3"
    server = start_gunicorn(port, "/healthz")
    try:
        # Each worker builds its graph once (a city's takes 20 s or more: wait for it).
        for p in pts[:4]:
            urllib.request.urlopen(url.format(*p), timeout=300).read()
        lat, errors = run_clients([url.format(*p) for p in pts], seconds)
        print(f"nearest over HTTP (gunicorn, 2 workers, 4 clients, {seconds} s): "
              f"{len(lat) / seconds:.0f} req/s, errors {errors}, median "
              f"{statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


def tiled_city(target_nodes: int) -> tuple[WalkGraph, tuple[np.ndarray, np.ndarray]]:
    """A lattice street network of ``target_nodes`` nodes, ~80 m blocks, with jitter.

    The real Chengdu extract has ~10,000 walk nodes; a city needs a million, so the
    bench tiles a jittered lattice of the same block size (a road every ~80 m).
    """
    side = int(np.ceil(np.sqrt(target_nodes)))
    rng = np.random.default_rng(3)
    deg = 80 / 111_000
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    lon = 104.0 + jj.ravel() * deg + rng.normal(0, deg / 10, side * side)
    lat = 30.0 + ii.ravel() * deg + rng.normal(0, deg / 10, side * side)
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(u.size) > 0.1  # some blocks merge
    u, v = u[keep], v[keep]
    length = np.hypot((lon[u] - lon[v]) * 96_000, (lat[u] - lat[v]) * 111_000)
    return WalkGraph.from_arrays(np.column_stack([lon, lat]), u, v, length), (lon, lat)


def bench_coverage(quick: bool) -> None:
    import networkx as nx

    from geo.analysis.coverage import coverage_table
    from geo.analysis.nearest import CenterField

    n_nodes = 100_000 if quick else 1_000_000
    t0 = time.perf_counter()
    graph, (lon, lat) = tiled_city(n_nodes)
    build = time.perf_counter() - t0
    rng = np.random.default_rng(4)
    lo = (lon.min(), lat.min())
    hi = (lon.max(), lat.max())
    n_b = n_nodes // 10
    buildings = np.column_stack([rng.uniform(lo[0], hi[0], n_b), rng.uniform(lo[1], hi[1], n_b)])
    households = rng.integers(0, 200, n_b)
    centers = np.column_stack([rng.uniform(lo[0], hi[0], n_nodes // 2000),
                               rng.uniform(lo[1], hi[1], n_nodes // 2000)])
    t0 = time.perf_counter()
    field = CenterField.build(graph, centers)
    d, _, _ = field.distances(buildings)
    keys = (np.arange(n_b) // 500).tolist()
    coverage_table(d, households, keys, [300, 500, 1000])
    ours = time.perf_counter() - t0
    print(f"coverage: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges, {n_b:,} buildings, "
          f"{len(centers)} centers: {ours:.2f} s (graph build {build:.1f} s, not counted)")
    # networkx multi-source Dijkstra on the same graph (nodes only: its part of the work).
    g = nx.Graph()
    coo = graph.matrix.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                  strict=True))
    sources = set(graph.snap(centers).edge.tolist())
    src_nodes = {int(graph.edge_u[e]) for e in sources}
    t0 = time.perf_counter()
    nx.multi_source_dijkstra_path_length(g, src_nodes)
    nxt = time.perf_counter() - t0
    t0 = time.perf_counter()
    field_nodes = CenterField.build(graph, centers)
    ours_field = time.perf_counter() - t0
    print(f"  multi-source Dijkstra over all nodes: ours {ours_field:.2f} s, networkx "
          f"{nxt:.2f} s ({nxt / ours_field:.1f}x slower)")
    del field_nodes
    if graph.n_nodes > 200_000:
        # Contraction hierarchies took 58 s at 100,000 nodes here; at a million the
        # preprocessing alone would run for many minutes, so pandana is measured with
        # --quick only.
        print("  pandana: measured with --quick (100,000 nodes) only; see the note above")
        return
    try:
        import pandana
        import pandas as pd

        nodes = pd.DataFrame({"x": lon, "y": lat})
        edges = pd.DataFrame({"from": graph.edge_u, "to": graph.edge_v,
                              "w": graph.edge_length})
        t0 = time.perf_counter()
        net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"],
                              edges[["w"]], twoway=True)
        prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        net.set_pois("centers", 1000, 1, pd.Series(centers[:, 0]), pd.Series(centers[:, 1]))
        net.nearest_pois(1000, "centers", num_pois=1)
        pt = time.perf_counter() - t0
        print(f"  pandana nearest_pois (1000 m horizon): {pt:.2f} s after {prep:.1f} s "
              f"contraction ({pt / ours_field:.2f}x ours)")
    except Exception as exc:  # pandana is optional in the bench
        print(f"  pandana: not measured ({type(exc).__name__}: {exc})")


def bench_pairing(quick: bool) -> None:
    from geo.analysis.pairing import PairingProblem
    from tests.pairing_reference import ReferenceTimeout, solve_reference

    n_u, n_c = (400, 200) if quick else (2000, 1000)
    rng = np.random.default_rng(5)
    units = rng.uniform(0, 20_000, size=(n_u, 2))
    comms = rng.uniform(0, 20_000, size=(n_c, 2))
    cost = np.hypot(units[:, None, 0] - comms[None, :, 0], units[:, None, 1] - comms[None, :, 1])
    problem = PairingProblem.from_cost_matrix(cost, 1, 5, 1, None, [])
    t0 = time.perf_counter()
    result = problem.solve()
    ours = time.perf_counter() - t0
    s = result.summary()
    g = problem.greedy().summary()
    print(f"pairing {n_u:,} units x {n_c:,} communities (cap 5, min 1): {ours:.2f} s, optimal "
          f"total {s['total_m'] / 1000:,.1f} km, max {s['max_m']:.0f} m")
    print(f"  greedy: total {g['total_m'] / 1000:,.1f} km, {g['communities_over_cap']} "
          f"communities over cap ({g['pairings_over_cap']} pairings), "
          f"{g['communities_under_min']} under the minimum")
    t0 = time.perf_counter()
    try:
        ref = solve_reference(problem, integral=False, time_limit=180)
    except ReferenceTimeout:
        print(f"  HiGHS LP (independent): no answer within 180 s (> {180 / ours:.0f}x ours)")
        return
    rt = time.perf_counter() - t0
    same = ref.pairings == s["pairings"] and abs(ref.total_cm / 100 - s["total_m"]) < 1
    print(f"  HiGHS LP (independent, two phases): {rt:.2f} s ({rt / ours:.1f}x ours), "
          f"same optimum: {same}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", choices=["nearest", "coverage", "pairing"])
    args = parser.parse_args()
    if args.only in (None, "nearest"):
        bench_nearest(args.quick)
    if args.only in (None, "pairing"):
        bench_pairing(args.quick)
    if args.only in (None, "coverage"):
        bench_coverage(args.quick)


if __name__ == "__main__":
    main()
