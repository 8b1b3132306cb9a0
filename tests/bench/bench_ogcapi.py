"""OGC API items at a million buildings: our endpoint beside pygeoapi and the bare SQL.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_ogcapi.py [--rows N]
[--rebuild]``). It builds (once, then reuses) a database ``wangge_bench_ogcapi`` in the private
cluster: the generated demo plus N buildings (default 1,000,000) on a lattice. Then, for
``items?limit=1000`` at page 1 and page 1,000, it times in one run:

- the bare SQL: the same page as GeoJSON text from PostGIS, nothing else (the limit);
- our query alone (``webmap.ogcapi.query.fetch_page``, keyset);
- our whole endpoint in process (Django view: parameters, count estimate, links);
- pygeoapi's PostgreSQL provider on the same table, in process (its Flask app), when the
  bench-only environment var/bench-pygeoapi exists (``make bench`` makes it).

Figures are printed (median, p95, page 1,000 / page 1); nothing passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
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

from config import pgcluster  # noqa: E402
from tests.scratch_db import bench_database, connect, manage  # noqa: E402

BENCH_DB = "wangge_bench_ogcapi"
PYGEOAPI = ROOT / "var" / "bench-pygeoapi" / "bin" / "python"
CHUNK = 100_000
PAGE = 1000
# A tenth of a degree square of the lattice (50,000 buildings) and one community's code.
BBOX = "104.1,30.7,104.2,30.8"
COMMUNITY = "510199001001"

INSERT = """
WITH comm AS (SELECT array_agg(id ORDER BY id) AS ids FROM geo_community)
INSERT INTO geo_building (origin, source, created_at, updated_at, version, code, name, geom,
                          levels, residential, households, households_estimated, osm_id,
                          community_id, compound_id)
SELECT 'generated', 'bench', now(), now(), 1, '', 'bench ' || i,
       ST_MakeEnvelope(x, y, x + 0.00018, y + 0.00012, 4326), 6 + i %% 20, i %% 7 <> 0,
       (i %% 90), true, NULL, comm.ids[1 + i %% array_length(comm.ids, 1)], NULL
FROM comm, generate_series(%(start)s, %(stop)s - 1) AS i,
     LATERAL (SELECT 103.9 + (i %% 1000) * 0.00025 AS x,
                     30.55 + (i / 1000) * 0.0002 AS y) p
"""


def build(rows: int, rebuild: bool) -> str:
    """The benchmark database's URL, built when missing, short of rows or asked to."""
    app, new = bench_database(BENCH_DB, rebuild)
    if not new:
        with connect(app) as conn:
            row = conn.execute("SELECT count(*) FROM geo_building WHERE source = 'bench'"
                               ).fetchone()
        if row and row[0] == rows:
            print(f"reusing {BENCH_DB} ({rows:,} benchmark buildings); --rebuild to remake it")
            return app
        app, _ = bench_database(BENCH_DB, rebuild=True)
    t0 = time.perf_counter()
    manage("load_demo", "--generated", "-v", "0", database_url=app)
    with connect(app) as conn:
        for start in range(0, rows, CHUNK):
            conn.execute(INSERT, {"start": start, "stop": min(rows, start + CHUNK)})
            done = min(rows, start + CHUNK)
            print(f"\r  buildings {done:,}/{rows:,} [{'#' * (30 * done // rows):<30}]",
                  end="", flush=True)
        conn.execute("ANALYZE geo_building")
    print(f"\nbuilt {BENCH_DB} in {time.perf_counter() - t0:.0f} s")
    return app


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm: plans, caches, connection
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def line(name: str, first: list[float], deep: list[float], bare: float | None) -> None:
    m1, m2 = statistics.median(first), statistics.median(deep)
    p95 = max(float(np.percentile(first, 95)), float(np.percentile(deep, 95)))
    vs = f"{m1 / bare:6.2f}×" if bare else "      "
    print(f"{name:<34} {m1 * 1e3:8.1f} {m2 * 1e3:9.1f} {p95 * 1e3:8.1f} {m2 / m1:9.2f} {vs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    database_url = build(args.rows, args.rebuild)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from webmap.ogcapi import query
    from webmap.ogcapi.collections import COLLECTIONS

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM geo_building")
        total = cur.fetchone()[0]
        offset = (min(1000, total // PAGE) - 1) * PAGE  # the first row of page 1,000
        cur.execute("SELECT id FROM geo_building ORDER BY id OFFSET %s LIMIT 1", [offset - 1])
        after = cur.fetchone()[0]
    print(f"\nbuildings: {total:,}; page 1 vs page {offset // PAGE + 1:,} "
          f"(rows {offset + 1:,}–{offset + PAGE:,}), limit={PAGE}, {args.rounds} rounds each")

    bare_sql = ("SELECT '{\"type\":\"Feature\",\"id\":' || t.id || ',\"geometry\":' || "
                "ST_AsGeoJSON(t.geom, 7) || ',\"properties\":' || json_build_object("
                "'name', t.name, 'levels', t.levels, 'residential', t.residential, "
                "'households', t.households)::text || '}' FROM geo_building t "
                "WHERE t.id > %s ORDER BY t.id LIMIT %s")

    def bare(key: int) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cur:
                cur.execute(bare_sql, [key, PAGE])
                return ",".join(r[0] for r in cur.fetchall())
        return run

    c = COLLECTIONS["buildings"]
    client = Client(HTTP_HOST="127.0.0.1")

    def view(key: int | None) -> Callable[[], object]:
        path = f"/ogcapi/collections/buildings/items?limit={PAGE}" + (
            f"&after={key}" if key else "")

        def run() -> object:
            resp = client.get(path, HTTP_ACCEPT="application/geo+json")
            assert resp.status_code == 200, resp.content[:200]
            return resp.content
        return run

    body = json.loads(view(after)())
    assert body["numberReturned"] == PAGE, body["numberReturned"]
    rows = args.rounds
    b1, b2 = timed(bare(0), rows), timed(bare(after), rows)
    q1 = timed(lambda: query.fetch_page(query.ItemsQuery(c, limit=PAGE)), rows)
    q2 = timed(lambda: query.fetch_page(query.ItemsQuery(c, limit=PAGE, after=after)), rows)
    v1, v2 = timed(view(None), rows), timed(view(after), rows)
    bare_median = statistics.median(b1)
    print(f"{'':<34} {'page 1':>8} {'page 1000':>9} {'p95':>8} {'1000/1':>9} {'/bare':>7}"
          f"   (ms)")
    line("bare SQL (the limit)", b1, b2, bare_median)
    line("our query (keyset, PostGIS JSON)", q1, q2, bare_median)
    line("our endpoint /ogcapi/ (in process)", v1, v2, bare_median)
    matched = body.get("numberMatched")
    print("  numberMatched on the endpoint: " + (
        f"{matched:,}" if matched is not None
        else f"omitted (the estimate is above {query.EXACT_COUNT_LIMIT:,})"))
    print("\nfiltered pages (limit=1000, page 1):")
    for label, extra in (("bbox of 0.1° (50,000 matches)", f"&bbox={BBOX}"),
                         ("community_code (1 in 36 rows)", f"&community_code={COMMUNITY}"),
                         ("datetime before the load (none)", "&datetime=../2020-01-01")):
        path = f"/ogcapi/collections/buildings/items?limit={PAGE}{extra}"

        def get(path: str = path) -> object:
            return client.get(path, HTTP_ACCEPT="application/geo+json").content

        times = timed(get, rows)
        print(f"  {label:<34} median {statistics.median(times) * 1e3:7.1f} ms, "
              f"p95 {float(np.percentile(times, 95)) * 1e3:7.1f} ms")
    pygeoapi_bbox = None
    if PYGEOAPI.exists():
        cfg = pgcluster.default_config()
        done = subprocess.run(
            [str(PYGEOAPI), str(Path(__file__).with_name("pygeoapi_runner.py")),
             str(cfg.socket_dir), str(cfg.port), BENCH_DB, pgcluster.APP_USER, str(rows),
             str(offset)], capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            print(f"pygeoapi failed: {done.stderr[-800:]}")
        else:
            res = json.loads(done.stdout.strip().splitlines()[-1])
            line("pygeoapi 0.21 PostgreSQL (in process)", res["page 1"]["times"],
                 res["page 1000"]["times"], bare_median)
            print(f"  pygeoapi returned {res['page 1']['returned']} / "
                  f"{res['page 1000']['returned']} features (page 1 / page 1000)")
            pygeoapi_bbox = res["bbox"]["times"]
            print(f"  pygeoapi, bbox of 0.1°: median "
                  f"{statistics.median(pygeoapi_bbox) * 1e3:.1f} ms")
    else:
        print(f"pygeoapi not measured: {PYGEOAPI} missing (`make bench` installs it there)")


if __name__ == "__main__":
    main()
