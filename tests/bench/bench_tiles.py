"""Vector-tile benchmarks: uncached tiles per layer beside the bare ST_AsMVT SQL; cached over HTTP.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_tiles.py [--quick]``) on a database
holding the demo. Figures are printed only; each sits beside a reference from the same run.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def sample_tiles(bounds: list[float], z: int, n: int) -> list[tuple[int, int, int]]:
    """Up to ``n`` tiles of zoom ``z`` spread over ``bounds`` (a deterministic lattice)."""
    from tiles.tilemath import tile_range

    x0, y0, x1, y1 = tile_range((bounds[0], bounds[1], bounds[2], bounds[3]), z)
    xs = np.unique(np.linspace(x0, x1, max(1, int(np.sqrt(n)))).round().astype(int))
    ys = np.unique(np.linspace(y0, y1, max(1, int(np.sqrt(n)))).round().astype(int))
    return [(z, int(x), int(y)) for x in xs for y in ys][:n]


BARE = """SELECT ST_AsMVT(q, %(layer)s, 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(ST_Transform({geom}, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                        4096, 64, true) AS geom
    FROM {table} WHERE {geom} && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326)) q"""


def bench_uncached(quick: bool, zooms: tuple[int, ...] = (12, 14, 16)
                   ) -> list[tuple[int, int, int]]:
    """Per layer and zoom: the full view (render + cache write + ETag) vs the bare SQL."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tiles.layers import LAYERS
    from tiles.render import layer_bounds, render_tile

    client = Client(HTTP_HOST="127.0.0.1")
    n = 4 if quick else 16
    grid_z14: list[tuple[int, int, int]] = []
    print(f"uncached tiles ({n} per zoom). view: GET through Django (SQL + cache write + ETag); "
          "SQL: our tile query alone; bare: ST_AsMVT of the geometry with no attributes, "
          "filters or simplification:")
    print(f"{'layer':<12}{'z':>3}{'view med':>10}{'p95':>8}{'SQL med':>9}{'bare med':>10}"
          f"{'SQL/bare':>9}{'view/bare':>10}{'bytes med':>10}")
    client.get("/tiles/grids/14/0/0.pbf")  # first request: URL resolver, connection, imports
    for name, spec in LAYERS.items():
        bounds = layer_bounds(spec)
        if bounds is None:
            print(f"{name:<12} (empty in this database)")
            continue
        geom, table = spec.column, spec.table
        if name == "pairings":
            continue  # its geometry is built in the query; no bare equivalent
        for z in zooms:
            if z < spec.minzoom:
                continue
            tiles = sample_tiles(bounds, z, n)
            if name == "grids" and z == 14:
                grid_z14 = tiles
            view_ms, sql_ms, bare_ms, sizes = [], [], [], []
            for (tz, tx, ty) in tiles:
                with tempfile.TemporaryDirectory() as tmp:
                    settings.TILE_CACHE_DIR = Path(tmp)
                    t = time.perf_counter()
                    resp = client.get(f"/tiles/{name}/{tz}/{tx}/{ty}.pbf")
                    view_ms.append((time.perf_counter() - t) * 1000)
                    sizes.append(len(resp.content))
                t = time.perf_counter()
                render_tile(spec, tz, tx, ty)
                sql_ms.append((time.perf_counter() - t) * 1000)
                with connection.cursor() as cur:
                    t = time.perf_counter()
                    cur.execute(BARE.format(geom=geom, table=table),
                                {"layer": name, "z": tz, "x": tx, "y": ty})
                    cur.fetchone()
                    bare_ms.append((time.perf_counter() - t) * 1000)
            vm, bm = statistics.median(view_ms), statistics.median(bare_ms)
            sm = statistics.median(sql_ms)
            print(f"{name:<12}{z:>3}{vm:>8.2f}ms{pct(view_ms, 95):>6.1f}ms{sm:>7.2f}ms"
                  f"{bm:>8.2f}ms{sm / bm:>9.2f}{vm / bm:>10.2f}{int(statistics.median(sizes)):>10}")
    return grid_z14


def bench_cached_http(tiles: list[tuple[int, int, int]], seconds: int) -> None:
    """Cached tiles per second over loopback against gunicorn with 2 workers."""
    from tests.bench.loadgen import run_clients, start_gunicorn

    port = 8766
    server = start_gunicorn(port, "/healthz",
                            WANGGE_TILE_CACHE=tempfile.mkdtemp(prefix="wangge-tiles-"))
    urls = [f"http://127.0.0.1:{port}/tiles/grids/{z}/{x}/{y}.pbf" for z, x, y in tiles]
    try:
        for u in urls:  # warm the cache
            urllib.request.urlopen(u, timeout=30).read()
        lat, errors = run_clients(urls, seconds, ok=lambda r: r.status in (200, 204)
                                  and r.headers["X-Tile-Cache"] == "hit")
        print(f"cached grid tiles over HTTP (gunicorn, 2 workers, 4 urllib clients, {seconds} s, "
              f"{len(urls)} distinct z14 tiles): {len(lat) / seconds:.0f} tiles/s, errors "
              f"{errors}, median {statistics.median(lat):.2f} ms, p99 {pct(lat, 99):.2f} ms")
        # Django's cheapest view over the same loopback path: a ceiling for this setup.
        ref, _ = run_clients([f"http://127.0.0.1:{port}/healthz"], 3)
        print(f"reference: /healthz, same server and clients, 3 s: {len(ref) / 3:.0f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_scoped(quick: bool) -> None:
    """Staff tiles rendered for one community's staff (never cached) vs the city-wide render."""
    from django.db import connection

    from tiles.layers import LAYERS
    from tiles.render import render_tile

    with connection.cursor() as cur:
        cur.execute("""SELECT c.code, ST_X(ST_PointOnSurface(c.geom)),
                              ST_Y(ST_PointOnSurface(c.geom))
                       FROM geo_community c JOIN geo_pairing p ON p.community_id = c.id
                       GROUP BY c.id ORDER BY count(*) DESC, c.code LIMIT 1""")
        row = cur.fetchone()
    if row is None:
        print("scoped staff tiles: no pairings in this database")
        return
    code, lon, lat = row
    repeat = 5 if quick else 20
    print(f"scoped staff tiles for community {code} ({repeat} renders each): "
          "scoped (per request) vs city-wide (what the cache holds)")
    for name in ("units", "pairings"):
        spec = LAYERS[name]
        for z in (11, 12, 14):
            if z < spec.minzoom:
                continue
            n = 2 ** z
            x = int((lon + 180) / 360 * n)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            timings = {}
            for label, scope in (("scoped", code), ("city", "")):
                ms = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    render_tile(spec, z, x, y, scope)
                    ms.append((time.perf_counter() - t) * 1000)
                timings[label] = statistics.median(ms)
            print(f"  {name:<9} z{z:<3} scoped {timings['scoped']:.2f} ms, city-wide "
                  f"{timings['city']:.2f} ms, ratio {timings['scoped'] / timings['city']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer tiles, shorter HTTP run")
    args = parser.parse_args()
    tiles = bench_uncached(args.quick)
    bench_scoped(args.quick)
    if tiles:
        bench_cached_http(tiles, 5 if args.quick else 15)


if __name__ == "__main__":
    main()
