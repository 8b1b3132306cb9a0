"""City scale: the synthetic city (2,025 communities, 1.2 million walk nodes) through every path.

Run with ``.venv/bin/python tests/bench/bench_city.py [--rebuild] [--only PART] [--quick]``.
The city lives in a scratch database of the private cluster (``wangge_bench_city``), built
once (``load_demo --scale city``'s generator and COPY writer, timed per table) and kept
between runs. Each path is measured in a child process pointed at it, every figure beside a
reference measured in the same run:

- load: rows/s per table (columnar COPY), beside ``copy_create`` of the same walk nodes;
- graph: the walk graph and center field built from the database (once per process);
- nearest: in process (walk, straight) vs raw KNN SQL; over HTTP (gunicorn, 2 workers);
- tiles: uncached per layer at z10-z16 vs the bare ``ST_AsMVT`` of the same features;
- editor: the largest community's editor state vs selecting its grids;
- coverage: the whole city after the graph is built vs the bare multi-source Dijkstra;
- pairing: a district, optimal, vs the greedy on the same matrix; the city's matrix
  extrapolated from one chunk of Dijkstras;
- checks: ``check_grids`` for every grid vs ``manage.py help check_grids`` (start-up);
- staff: the reports page and its four API calls for a district (225 communities);
- report: the district report in every format (``bench_report.py --scope``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.scratch_db import bench_database  # noqa: E402

PARTS = ["graph", "nearest", "tiles", "editor", "coverage", "pairing", "checks", "staff",
         "report"]
DISTRICT = "519901"
CITY = "5199"


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out), float(np.percentile(out, 95))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def load(seed: int) -> None:
    """Generate and write the city, timing each table."""
    setup()
    from importers.demo.city import CITY as SHAPE
    from importers.demo.city import generate_city_tables
    from importers.demo.city_store import store_city

    t0 = time.perf_counter()
    tables = generate_city_tables(SHAPE, seed=seed)
    gen = time.perf_counter() - t0
    counts = tables.counts()
    print(f"generate: {gen:.1f} s for {sum(counts.values()):,} rows")
    done: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(label: str, n: int) -> None:
        done[label] = time.perf_counter()
        if n == counts[label]:
            print(f"  {label} written", flush=True)

    store_city(tables, progress)
    total = time.perf_counter() - t0
    print(f"store (one transaction, columnar COPY): {total:.1f} s, "
          f"{sum(counts.values()) / total:,.0f} rows/s overall")
    print(f"{'table':<12}{'rows':>11}{'s':>8}{'rows/s':>10}")
    last = t0
    for label, end in done.items():
        n = counts[label]
        print(f"{label:<12}{n:>11,}{end - last:>8.1f}{n / (end - last):>10,.0f}")
        last = end


def part_graph() -> None:
    setup()
    from django.db import connection

    from geo.services.network import center_field, walk_graph

    t0 = time.perf_counter()
    graph = walk_graph()
    g = time.perf_counter() - t0
    t0 = time.perf_counter()
    center_field(licensed_only=True)
    f = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT start_id, end_id, length_m FROM geo_walkedge")
        cur.fetchall()
    raw = time.perf_counter() - t0
    print(f"walk graph from the database: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges in "
          f"{g:.1f} s (reference: fetching the edge table's three columns {raw:.1f} s, "
          f"{g / raw:.1f}x); licensed center field {f:.1f} s")


def part_nearest(quick: bool) -> None:
    from tests.bench.bench_analysis import bench_nearest

    bench_nearest(quick)  # sets Django up; in process, then over HTTP


def part_tiles(quick: bool) -> None:
    from tests.bench.bench_tiles import bench_uncached

    bench_uncached(quick, zooms=(10, 12, 14, 16))


def part_editor() -> None:
    setup()
    from django.db import connection

    from geo.analysis.rules import load_profile
    from geo.models import Community, GridUnit
    from geo.services.plan import editor_state

    with connection.cursor() as cur:
        cur.execute("SELECT c.id, count(*) FROM geo_community c JOIN geo_gridunit g "
                    "ON g.community_id = c.id GROUP BY c.id ORDER BY 2 DESC, c.id LIMIT 1")
        pk, n = cur.fetchone()
    community = Community.objects.get(pk=pk)
    profile = load_profile(None)
    ours = median_ms(lambda: editor_state(community, profile), 10)
    ref = median_ms(lambda: list(GridUnit.objects.filter(community=community)), 10)
    print(f"editor state of the largest community ({community.code}, {n} grids): median "
          f"{ours[0]:.0f} ms, p95 {ours[1]:.0f} ms (reference: selecting its grids "
          f"{ref[0]:.1f} ms, {ours[0] / ref[0]:.0f}x)")


def part_coverage() -> None:
    setup()
    from scipy.sparse.csgraph import dijkstra

    from geo.analysis.rules import load_profile
    from geo.services.coverage import run_coverage
    from geo.services.network import center_field

    profile = load_profile(None)
    loaded = center_field(licensed_only=True)  # the graph, built once per process
    t0 = time.perf_counter()
    report = run_coverage(CITY, [300, 500, 1000], profile)
    ours = time.perf_counter() - t0
    graph = loaded.field.graph
    sources = np.unique(graph.edge_u[loaded.field.center_snap.edge])
    t0 = time.perf_counter()
    dijkstra(graph.matrix, directed=False, indices=sources, min_only=True)
    bare = time.perf_counter() - t0
    rows = len(report["levels"]["community"])
    print(f"coverage of the whole city after the graph is built: {ours:.1f} s ({rows} communities; "
          f"reference: the bare multi-source Dijkstra over {graph.n_nodes:,} nodes "
          f"{bare:.2f} s, {ours / bare:.1f}x)")


def part_pairing() -> None:
    setup()
    from scipy.sparse.csgraph import dijkstra

    from geo.analysis.rules import load_profile
    from geo.services.network import walk_graph
    from geo.services.pairing import build_problem

    # The whole city's matrix is one Dijkstra per community edge end (4,050 on 1.2 million
    # nodes): measured on a district, and one chunk of the city's timed to say what the
    # city would take.
    profile = load_profile(None)
    graph = walk_graph()
    t0 = time.perf_counter()
    dijkstra(graph.matrix, directed=True, indices=np.arange(0, graph.n_nodes, 9000)[:128])
    chunk = time.perf_counter() - t0
    print(f"one Dijkstra over the whole city graph: {chunk / 128 * 1000:.0f} ms; the city's "
          f"2,025 communities need 4,050: ~{chunk / 128 * 4050 / 60:.0f} min for the matrix")
    t0 = time.perf_counter()
    inputs = build_problem(DISTRICT, "walk", profile, None, "auto", None)
    build = time.perf_counter() - t0
    problem = inputs.problem
    t0 = time.perf_counter()
    result = problem.solve()
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = problem.greedy()
    gt = time.perf_counter() - t0
    s, g = result.summary(), greedy.summary()
    print(f"pairing district {DISTRICT} ({len(inputs.units):,} units, {len(inputs.communities)} "
          f"communities) by walking distance: matrix {build:.1f} s, solve {ours:.1f} s "
          f"(optimal {s['total_m'] / 1000:,.0f} km, {s['communities_over_cap']} over the cap); "
          f"reference greedy {gt:.2f} s ({g['total_m'] / 1000:,.0f} km, "
          f"{g['communities_over_cap']} over the cap)")


def part_checks(app: str) -> None:
    env = {**os.environ, "DATABASE_URL": app}
    py = str(ROOT / ".venv" / "bin" / "python")
    t0 = time.perf_counter()
    run = subprocess.run([py, "manage.py", "check_grids", "--scope", CITY, "--format",
                          "json"], cwd=ROOT, env=env, capture_output=True, text=True)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([py, "manage.py", "help", "check_grids"], cwd=ROOT, env=env,
                   capture_output=True, check=True)
    start = time.perf_counter() - t0
    print(f"check_grids for every grid of the city: {ours:.1f} s, exit {run.returncode} "
          f"(reference: start-up alone {start:.1f} s)")


def part_staff() -> None:
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-city-staff",
                                                     defaults={"is_superuser": True,
                                                               "is_staff": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/healthz")
    calls = [("page /reports/", "/reports/"),
             ("communities", f"/api/v1/communities/?page_size=2000&code={DISTRICT}"),
             ("coverage", f"/api/v1/coverage?level=community&scope={DISTRICT}"),
             ("facility ratio", f"/api/v1/facility-ratio?scope={DISTRICT}"),
             ("members", f"/api/v1/members?scope={DISTRICT}")]
    # Asked only when the reach layer is switched on.
    later = [("reach areas", f"/api/v1/coverage?areas=1&level=district&scope={DISTRICT}")]
    ref = median_ms(lambda: client.get("/healthz"), 20)
    total = 0.0
    print(f"staff reports page for district {DISTRICT} (225 communities), median of 3 "
          f"(reference: /healthz through the same client {ref[0]:.1f} ms):")
    for label, url in calls:
        status = client.get(url).status_code
        ms = median_ms(lambda u=url: client.get(u), 3)  # type: ignore[misc]
        total += ms[0]
        print(f"  {label:<16}{ms[0]:>9.0f} ms  (HTTP {status})")
    print(f"  {'all five':<16}{total:>9.0f} ms")
    for label, url in later:
        t0 = time.perf_counter()
        res = client.get(url)
        took = (time.perf_counter() - t0) * 1000
        areas = len(res.json().get("reach_areas", {}).get("features", []))
        print(f"  {label:<16}{took:>9.0f} ms  (HTTP {res.status_code}, {areas} areas; when "
              f"the reach layer is switched on)")


def part_report(app: str, quick: bool) -> None:
    subprocess.run([sys.executable, str(ROOT / "tests" / "bench" / "bench_report.py"),
                    "--scope", DISTRICT, *(["--quick"] if quick else [])], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": app}, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="make the city again")
    parser.add_argument("--only", choices=PARTS, action="append")
    parser.add_argument("--quick", action="store_true", help="fewer samples, short HTTP runs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"load": lambda: load(args.seed), "graph": part_graph,
         "nearest": lambda: part_nearest(args.quick), "tiles": lambda: part_tiles(args.quick),
         "editor": part_editor, "coverage": part_coverage, "pairing": part_pairing,
         "staff": part_staff}[args.child]()
        return
    app, new = bench_database("wangge_bench_city", rebuild=args.rebuild)
    env = {**os.environ, "DATABASE_URL": app}

    def child(name: str) -> None:
        print(f"\n== {name}", flush=True)
        subprocess.run([sys.executable, __file__, "--child", name, "--seed", str(args.seed),
                        *(["--quick"] if args.quick else [])], env=env, check=False)

    if new or args.rebuild:
        child("load")
    for part in args.only or PARTS:
        if part == "checks":
            print("\n== checks", flush=True)
            part_checks(app)
        elif part == "report":
            print("\n== report", flush=True)
            part_report(app, args.quick)
        else:
            child(part)


if __name__ == "__main__":
    main()
