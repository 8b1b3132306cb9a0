"""Benchmark the demo builders and the household partition; prints medians and ratios.

Run: .venv/bin/python bench/bench_demo.py  (Django-free; reads the shipped Chengdu extract)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from geo.analysis.grid_checks import tiling_report  # noqa: E402
from geo.analysis.partition import balanced_segments, brute_force_cost  # noqa: E402
from importers.demo.generated import generate_city  # noqa: E402


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(1)
    values = [rng.randint(0, 300) for _ in range(16)]
    dp = median_s(lambda: balanced_segments(values, 150, 500, 330), 50)
    brute = median_s(lambda: brute_force_cost(values, 150, 500, 330), 3)
    print(f"partition of 16 blocks: DP median {dp * 1e3:.3f} ms, brute force {brute * 1e3:.1f} ms,"
          f" ratio brute/DP {brute / dp:.0f}x")

    gen = median_s(lambda: generate_city(2026), 5)
    print(f"generate_city (36 communities, 296 grids): median {gen:.2f} s")
    city = generate_city(2026)
    by_comm = {c.code: [g.geom for g in city.grids if g.community_code == c.code]
               for c in city.communities}
    tiling = median_s(lambda: [tiling_report(c.geom, by_comm[c.code]) for c in city.communities],
                      5)
    print(f"tiling_report over 36 communities: median {tiling * 1e3:.0f} ms "
          f"({tiling / len(city.communities) * 1e3:.1f} ms per community)")

    # The extract every fresh machine has: the one `make demo` derives from.
    from importers.demo.derived import derive_city
    from importers.osm import read_osm

    osm = ROOT / "importers" / "demo" / "data" / "chengdu-center.osm.bz2"
    read = median_s(lambda: read_osm(osm), 3)
    extract = read_osm(osm)
    derive = median_s(lambda: derive_city(extract), 3)
    print(f"{osm.name}: read median {read:.2f} s, derive median {derive:.2f} s, "
          f"derive/read ratio {derive / read:.2f}")


if __name__ == "__main__":
    main()
