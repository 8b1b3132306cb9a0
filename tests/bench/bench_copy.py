"""Rows per second: COPY (``importers.copyload.copy_create``) against ``bulk_create``.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_copy.py [--rows 100000]``).
On a scratch database (``wangge_bench_copy``), each way writes the same unsaved objects —
walk nodes (a point and two columns) and buildings (a polygon and twelve columns, the
widest big table), their geometries set as hex EWKB (``ewkb_hex``, as a loader would) —
inside a transaction that is rolled back, three times; the median is
reported with the ratio. The objects are built before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.scratch_db import bench_database  # noqa: E402


def child(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import shapely
    from django.db import transaction

    from geo.models import Building, WalkNode
    from importers.copyload import copy_columns, copy_create, ewkb_hex

    # Geometries come as a loader has them (shapely), set as hex EWKB made all at once.
    xs = 104 + (np.arange(rows) % 1000) * 1e-4
    ys = 30.6 + (np.arange(rows) // 1000) * 1e-4
    points = ewkb_hex(list(shapely.points(xs, ys)))
    boxes = ewkb_hex(list(shapely.box(xs, ys, xs + 5e-5, ys + 5e-5)))

    def nodes() -> list[WalkNode]:
        return [WalkNode(geom=g, osm_id=i, source="bench")  # type: ignore[misc]  # hex EWKB
                for i, g in enumerate(points)]

    def buildings() -> list[Building]:
        return [Building(geom=g, households=12, levels=6, name=f"{i}栋",  # type: ignore[misc]
                         source="bench")
                for i, g in enumerate(boxes)]

    def run(write: object, make: object) -> float:
        times = []
        for _ in range(3):
            objs = make()  # type: ignore[operator]
            with transaction.atomic():
                t0 = time.perf_counter()
                write(objs)  # type: ignore[operator]
                times.append(time.perf_counter() - t0)
                transaction.set_rollback(True)
        return statistics.median(times)

    # The same rows as columns, as a generator or reader holding arrays has them.
    ids = np.arange(rows)
    names = [f"{i}栋" for i in range(rows)]
    columns = {
        "WalkNode": {"geom": points, "osm_id": ids, "source": "bench"},
        "Building": {"geom": boxes, "households": np.full(rows, 12), "levels": np.full(rows, 6),
                     "name": names, "source": "bench"},
    }

    print(f"{rows} rows per table, median of 3, rolled back")
    print(f"{'table':<10} {'bulk_create rows/s':>19} {'COPY objects rows/s':>20} "
          f"{'COPY columns rows/s':>20} {'× bulk':>7} {'columns × objects':>18}")
    for name, model, make in (("WalkNode", WalkNode, nodes), ("Building", Building, buildings)):
        bulk = run(lambda objs, m=model: m.objects.bulk_create(objs, batch_size=2000), make)
        copy = run(lambda objs, m=model: copy_create(m, objs), make)
        # Objects are built before the clock for the two ways above; columns need none.
        cols = run(lambda _objs, m=model, c=columns[name]: copy_columns(m, rows, c),
                   lambda: None)
        print(f"{name:<10} {rows / bulk:>19,.0f} {rows / copy:>20,.0f} {rows / cols:>20,.0f} "
              f"{bulk / cols:>7.1f} {copy / cols:>18.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rows)
        return
    app, _ = bench_database("wangge_bench_copy")
    subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows)], check=True,
                   env={**os.environ, "DATABASE_URL": app})


if __name__ == "__main__":
    main()
