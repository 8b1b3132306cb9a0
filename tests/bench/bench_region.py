"""Province fan-out: ``run_region`` over a synthetic province, serial vs Dask with 1 and 2 workers.

Run with ``.venv/bin/python tests/bench/bench_region.py [--rebuild] [--task coverage]``.
The province (``load_demo --scale province``: 20 cities of 81 communities, 940,000 walk
nodes) lives in the scratch database ``wangge_bench_province``, built once. Printed: wall time
of each way (the serial run in one process is the reference), the speed-up, the seconds per
city and each worker's peak memory (from the result rows the workers wrote), and the
country on paper: the measured seconds per community × 110,000 urban communities, and the
machines an overnight (8 h) run needs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.scratch_db import bench_database  # noqa: E402

COUNTRY_COMMUNITIES = 110_000
NIGHT_S = 8 * 3600


def manage(app: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "DATABASE_URL": app},
                          check=True)
    return proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--task", default="coverage")
    args = parser.parse_args()
    app, new = bench_database("wangge_bench_province", rebuild=args.rebuild)
    if new or args.rebuild:
        t0 = time.perf_counter()
        manage(app, "load_demo", "--scale", "province")
        print(f"province loaded in {time.perf_counter() - t0:.0f} s")
    runs = {}
    for label, extra in (("serial", ["--serial"]), ("dask, 1 worker", ["--workers", "1"]),
                         ("dask, 2 workers", ["--workers", "2"])):
        t0 = time.perf_counter()
        out = manage(app, "run_region", "--scope", "51", "--task", args.task, "--format",
                     "json", *extra)
        wall = time.perf_counter() - t0
        runs[label] = (wall, json.loads(out[out.index("{"):]))
    serial_wall, serial = runs["serial"]
    cities = len(serial["results"])
    print(f"run_region --task {args.task} over {cities} cities of 81 communities "
          f"(wall time of the whole command, start-up included):")
    for label, (wall, res) in runs.items():
        per = [r["seconds"] for r in res["results"]]
        rss = max(r["peak_rss_mb"] for r in res["results"])
        workers = len({r["worker"] for r in res["results"]})
        print(f"  {label:<16} {wall:>7.1f} s  speed-up {serial_wall / wall:>4.2f}x  "
              f"per city median {sorted(per)[len(per) // 2]:.2f} s  peak memory per "
              f"process {rss:.0f} MB  ({workers} process(es))")
    per_community = sum(r["seconds"] for r in serial["results"]) / (cities * 81)
    cpu = per_community * COUNTRY_COMMUNITIES
    print(f"the country on paper: {per_community * 1000:.0f} ms per community x "
          f"{COUNTRY_COMMUNITIES:,} communities = {cpu / 3600:.1f} CPU-hours of task time; "
          f"an 8-hour night needs {math.ceil(cpu / NIGHT_S)} core(s), e.g. "
          f"{math.ceil(cpu / NIGHT_S / 8)} machine(s) of 8 cores (graph loading is inside "
          "each task's seconds; the database serving every worker is not counted)")


if __name__ == "__main__":
    main()
