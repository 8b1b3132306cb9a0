"""Benchmark the demo builders and the household partition; prints medians and ratios.

Run: .venv/bin/python bench/bench_demo.py  (Django-free; uses ../shared/data when present)
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.demo.generated import generate_city  # noqa: E402
from geo.grid_checks import tiling_report  # noqa: E402
from geo.partition import balanced_segments  # noqa: E402


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def brute_partition(values: list[int], lo: int, hi: int, target: float) -> float | None:
    """Reference: try every set of cut points (2^(n-1))."""
    best = None
    n = len(values)
    for cuts in itertools.product([False, True], repeat=n - 1):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        sums = [sum(values[a:b]) for a, b in itertools.pairwise(bounds)]
        if all(lo <= s <= hi for s in sums):
            cost = sum((s - target) ** 2 for s in sums)
            best = cost if best is None else min(best, cost)
    return best


def main() -> None:
    rng = random.Random(1)
    values = [rng.randint(0, 300) for _ in range(16)]
    dp = median_s(lambda: balanced_segments(values, 150, 500, 330), 50)
    brute = median_s(lambda: brute_partition(values, 150, 500, 330), 3)
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

    osm = ROOT.parent / "shared" / "data" / "chengdu-center.osm"
    if osm.exists():
        from geo.demo.derived import derive_city
        from importers.osm import read_osm

        read = median_s(lambda: read_osm(osm), 3)
        extract = read_osm(osm)
        derive = median_s(lambda: derive_city(extract), 3)
        print(f"chengdu-center.osm: read median {read:.2f} s, derive median {derive:.2f} s, "
              f"derive/read ratio {derive / read:.2f}")
    else:
        print(f"{osm} not present: OSM figures not measured")


if __name__ == "__main__":
    main()
