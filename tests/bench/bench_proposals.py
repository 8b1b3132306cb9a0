"""Grid proposals against two anchors on the same communities: max-p regions and k-means.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_proposals.py
[--dataset chengdu|generated] [--rebuild]``). For each dataset — the Chengdu demo derived
from the shipped OSM extract, and the generated district — a database is built once
(``wangge_bench_plan_<dataset>``) and every community is divided three ways, on one core:

- **ours**: block units along roads, water and walls, districted exactly (CP-SAT,
  ``propose_grids`` with its defaults: 150–500 households, 1 s per count tried);
- **max-p** (spopt ``MaxPHeuristic`` on the same block units, floor 150 households, no
  ceiling — it has none; 10 construction rounds instead of its default 99, and at most
  30 s per community: on some communities its construction ran on for many minutes; a
  community it gives up on counts as no grid in range; run in ``var/bench-spopt``);
- **k-means** of the household points (weighted, k = households / 325), each grid the
  Voronoi cell of a centre clipped to the community (fmtm-splitter's way: unbounded sizes).

Per community and method: share of grids in 150–500, largest/smallest households,
median Polsby-Popper, share of inner boundary within 5 m of a road, water or wall, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.scratch_db import bench_database, manage  # noqa: E402

SPOPT = ROOT / "var" / "bench-spopt" / "bin" / "python"
LO, HI, TARGET = 150, 500, 325


def build(dataset: str, rebuild: bool) -> str:
    """The dataset's benchmark database, built when missing or asked to."""
    name = f"wangge_bench_plan_{dataset}"
    app, new = bench_database(name, rebuild)
    if new:
        manage("load_demo", *(["--generated"] if dataset == "generated" else []), "-v", "0",
               database_url=app)
    else:
        print(f"reusing {name}; --rebuild to remake it")
        manage("migrate", "--noinput", "-v", "0", database_url=app)
    return app


def weighted_kmeans(xy: np.ndarray, w: np.ndarray, k: int, seed: int = 0,
                    rounds: int = 50) -> np.ndarray:
    """Centres of a household-weighted k-means (k-means++ start, Lloyd rounds)."""
    rng = np.random.default_rng(seed)
    centres = [xy[rng.choice(len(xy), p=w / w.sum())]]
    for _ in range(1, k):
        d = np.min([((xy - c) ** 2).sum(axis=1) for c in centres], axis=0) * w
        centres.append(xy[rng.choice(len(xy), p=d / d.sum())] if d.sum() else xy[0])
    c = np.array(centres)
    for _ in range(rounds):
        label = np.argmin(((xy[:, None, :] - c[None]) ** 2).sum(axis=2), axis=1)
        new = np.array([np.average(xy[label == j], axis=0, weights=w[label == j])
                        if w[label == j].sum() else c[j] for j in range(k)])
        if np.allclose(new, c):
            break
        c = new
    return c


def child() -> None:
    """Measure every community of the database in DATABASE_URL (run by main)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import shapely
    from shapely.geometry import MultiPoint

    from geo.analysis.blocks import block_units
    from geo.analysis.plan_metrics import PlanMetrics, plan_metrics
    from geo.analysis.projection import extent_crs, from_local_metres, to_local_metres
    from geo.models import Community
    from geo.services.proposals import inputs, propose_from

    rows: dict[str, list[tuple[str, PlanMetrics, float]]] = {"ours": [], "max-p": [],
                                                             "k-means": []}
    jobs, units_of, data_of = [], {}, {}
    failed: list[str] = []
    communities = list(Community.objects.order_by("code"))
    for c in communities:
        data = inputs(c)
        if not data.points:
            continue
        data_of[c.code] = data
        t0 = time.perf_counter()
        ours = propose_from(data, LO, HI)
        took = time.perf_counter() - t0
        rows["ours"].append((c.code, plan_metrics(data.community, ours.grids,
                                                  ours.households, data.cut_lines, LO, HI,
                                                  kinds=ours.kinds), took))
        units = block_units(data.community, data.cut_lines, data.points,
                            data.households, HI)
        units_of[c.code] = units
        jobs.append({"code": c.code, "units": [{"wkt": s.wkt, "households": float(h)}
                                               for s, h in zip(units.shapes, units.households,
                                                               strict=True)]})
        # k-means of household points, Voronoi cells of the centres clipped to the community.
        t0 = time.perf_counter()
        crs = extent_crs([data.community])
        comm, *pts = to_local_metres([data.community, *data.points], crs)
        xy = np.array([[p.x, p.y] for p in pts])
        w = np.asarray(data.households, dtype=float)
        k = max(1, round(w.sum() / TARGET))
        centres = weighted_kmeans(xy, w, min(k, len(xy)))
        cells = shapely.voronoi_polygons(MultiPoint([tuple(p) for p in centres]),
                                         extend_to=comm.envelope.buffer(100))
        grids = [shapely.intersection(comm, cell) for cell in cells.geoms]
        grids = [g for g in grids if not g.is_empty]
        hh = [float(w[[g.covers(p) for p in pts]].sum()) for g in grids]
        took = time.perf_counter() - t0
        rows["k-means"].append((c.code, plan_metrics(data.community,
                                                     from_local_metres(grids, crs), hh,
                                                     data.cut_lines, LO, HI), took))
    if SPOPT.exists():
        done = subprocess.run([str(SPOPT), str(ROOT / "tests" / "bench" / "maxp_runner.py")],
                              input=json.dumps({"lo": LO, "communities": jobs}), text=True,
                              capture_output=True, check=True)
        for item in json.loads(done.stdout):
            units, data = units_of[item["code"]], data_of[item["code"]]
            labels = item["labels"]
            regions = sorted(set(labels) - {-1})
            grids = [shapely.union_all([s for s, lab in zip(units.shapes, labels, strict=True)
                                        if lab == r]) for r in regions]
            hh = [float(sum(h for h, lab in zip(units.households, labels, strict=True)
                            if lab == r)) for r in regions]
            m = plan_metrics(data.community, from_local_metres(grids, units.crs), hh,
                             data.cut_lines, LO, HI)
            rows["max-p"].append((item["code"], m, item["seconds"]))
            if item["error"]:
                failed.append(f"{item['code']}: {item['error']}")
    else:
        print(f"max-p skipped: {SPOPT} missing (make var/bench-spopt/.installed)")
    report(rows)
    for line in failed:
        print(f"  max-p gave no regions for {line}")


def report(rows: dict[str, list[tuple[str, Any, float]]]) -> None:
    print(f"{'method':<8} {'communities':>11} {'grids':>6} {'in range':>9} "
          f"{'all in range':>12} {'max/min med':>11} {'≤2':>5} {'PP med':>7} "
          f"{'on roads':>9} {'s median':>9} {'s max':>7}")
    for method, items in rows.items():
        if not items:
            continue
        ms = [m for _, m, _ in items]
        grids = sum(m.grids for m in ms)
        in_range = sum(m.in_range * m.grids for m in ms) / grids
        whole = sum(1 for m in ms if m.in_range == 1) / len(ms)
        ratio = statistics.median(m.max_min for m in ms)
        under2 = sum(1 for m in ms if m.max_min <= 2) / len(ms)
        pp = statistics.median(m.polsby_popper for m in ms)
        inner = sum(m.inner_m for m in ms)
        on = sum(m.on_edges * m.inner_m for m in ms) / inner if inner else 1.0
        secs = [t for *_, t in items]
        print(f"{method:<8} {len(ms):>11} {grids:>6} {in_range:>9.1%} {whole:>12.1%} "
              f"{ratio:>11.2f} {under2:>5.0%} {pp:>7.2f} {on:>9.1%} "
              f"{statistics.median(secs):>9.3f} {max(secs):>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=["chengdu", "generated", "both"], default="both")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    for dataset in (["chengdu", "generated"] if args.dataset == "both" else [args.dataset]):
        app = build(dataset, args.rebuild)
        print(f"\n{dataset}: {LO}–{HI} households per grid; one core")
        subprocess.run([sys.executable, __file__, "--child"], check=True,
                       env={**os.environ, "DATABASE_URL": app, "OMP_NUM_THREADS": "1"})


if __name__ == "__main__":
    main()
