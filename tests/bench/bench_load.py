"""Load test of the public nearest-center endpoint: 60 s on loopback, bounded clients.

gunicorn (2 workers) serves the demo from the project database; N client threads request
``/api/v1/centers/nearest`` at seeded random points in the demo district for a fixed time.
Printed: requests, requests/s, errors (non-200 or failed), latency p50/p90/p99/max. The
reference, measured in the same run against the same server, is ``/healthz`` (one trivial
query): the ratio says what the routing itself costs. The per-client rate limit is off for
the run (one client address would otherwise be limited to 120 requests a minute); a second,
short phase with the default limit on shows that it refuses with 429, not errors.

    .venv/bin/python bench/bench_load.py [--seconds 60] [--clients 8] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from tests.bench.loadgen import run_clients, start_gunicorn  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def demo_points(n: int) -> list[tuple[float, float]]:
    """Seeded points inside the demo district's extent (from the database)."""
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                    "FROM (SELECT ST_Extent(geom) e FROM geo_community) s")
        row = cur.fetchone()
    if not row or row[0] is None:
        sys.exit("no communities loaded: run `make setup` (it loads the demo) first")
    w, s, e, n_ = (float(v) for v in row)
    rng = np.random.default_rng(7)
    return [(round(float(x), 6), round(float(y), 6))
            for x, y in zip(rng.uniform(w, e, n), rng.uniform(s, n_, n), strict=True)]


def report(label: str, lat: list[float], errors: int, seconds: float) -> float:
    total = len(lat) + errors
    p50 = pct(lat, 50)
    print(f"{label}: {total:,} requests in {seconds:.0f} s ({total / seconds:.0f}/s), "
          f"errors {errors}, latency p50 {p50:.1f} ms p90 {pct(lat, 90):.1f} ms "
          f"p99 {pct(lat, 99):.1f} ms max {max(lat, default=float('nan')):.1f} ms")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="10 s instead of 60 s")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else args.seconds
    pts = demo_points(500)
    port = 8766
    base = f"http://127.0.0.1:{port}"
    urls = [f"{base}/api/v1/centers/nearest?lon={x}&lat={y}&k=3" for x, y in pts]
    server = start_gunicorn(port, "/healthz")
    try:
        for u in urls[:8]:  # each worker builds its walking graph once, before timing
            urllib.request.urlopen(u, timeout=60).read()
        ref_lat, ref_err = run_clients([f"{base}/healthz"], min(seconds, 10.0), args.clients)
        ref = report(f"reference /healthz ({args.clients} clients)", ref_lat, ref_err,
                     min(seconds, 10.0))
        lat, errors = run_clients(urls, seconds, args.clients)
        p50 = report(f"nearest, walking, k=3 (gunicorn 2 workers, {args.clients} clients)",
                     lat, errors, seconds)
        print(f"nearest / healthz median: {p50 / ref:.1f}x; aim: 0 errors "
              f"({'met' if errors == 0 else 'NOT met'})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The same load with every request counted in Redis (a limit no client reaches): what the
    # shared counter costs each public request.
    server = start_gunicorn(port, "/healthz", WANGGE_RATE_LIMITS="finder=1000000000/60")
    try:
        for u in urls[:8]:
            urllib.request.urlopen(u, timeout=60).read()
        lat, errors = run_clients(urls, seconds, args.clients)
        counted = report("nearest, counted in Redis (limit never reached)", lat, errors,
                         seconds)
        print(f"counted / uncounted median: {counted / p50:.2f}x")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # With the default limit on, one client address is refused with 429 past its allowance.
    # The counted run's requests are in this minute's window too: start from zero.
    from django.core.cache import cache

    cache.clear()
    server = start_gunicorn(port, "/healthz", WANGGE_RATE_LIMITS="finder=120/60")
    try:
        codes: dict[int, int] = {}
        for u in urls[:150]:
            try:
                with urllib.request.urlopen(u, timeout=60) as r:
                    codes[r.status] = codes.get(r.status, 0) + 1
            except urllib.error.HTTPError as exc:
                codes[exc.code] = codes.get(exc.code, 0) + 1
        print("rate limit on (finder=120/60, one count for both workers), 150 requests from "
              "one address: "
              + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
