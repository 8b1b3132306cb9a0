"""Grid events at a million rows: reporting one and a grid worker's list, beside bare SQL.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_events.py [--rows N]
[--rebuild]``). It uses the benchmark database of bench_ogcapi.py (``wangge_bench_ogcapi``:
the generated demo and a million buildings), adds N events (default 1,000,000) spread over
its grids, states and two years, then times in one run:

- reporting an event (place it in its grid, first deadline, first step) vs a bare INSERT;
- a grid worker's list (``GET /api/v1/events``: their community's open events by due
  time, the first 100, with counts) vs the bare SELECT of the same rows;
- the staff map of the whole city (``GET /api/v1/events/map`` at zoom 14: the open events
  counted per screen cell) vs the bare grouped SELECT.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.bench.bench_ogcapi import BENCH_DB, build, timed  # noqa: E402
from tests.scratch_db import connect, manage  # noqa: E402

CHUNK = 100_000
INSERT = """
WITH g AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(community_id ORDER BY id) AS cs,
                  count(*) AS n FROM geo_gridunit)
INSERT INTO geo_event (code, category, urgency, description, location, address, grid_id,
                       community_id, state, state_since, due_at, reporter_kind,
                       reporter_phone, created_at, updated_at, version, department)
SELECT 'B' || lpad(i::text, 10, '0'),
       (ARRAY['environment','facility','safety','neighbourhood','service'])[1 + i %% 5],
       (ARRAY['routine','routine','urgent','emergency'])[1 + i %% 4], 'bench event ' || i,
       ST_SetSRID(ST_MakePoint(104.16 + (i %% 997) * 0.00003, 30.55 + (i %% 991) * 0.00003),
                  4326), '', g.ids[1 + i %% g.n], g.cs[1 + i %% g.n],
       -- nine in ten closed or evaluated, as in a city that has run for years
       CASE WHEN i %% 10 = 0 THEN (ARRAY['reported','filed','dispatched','handling',
                                          'handled'])[1 + (i / 10) %% 5]
            ELSE (ARRAY['closed','evaluated'])[1 + i %% 2] END,
       t, CASE WHEN i %% 10 = 0 THEN t + interval '8 hours' END, 'resident', '13800000000',
       t, t, 1, ''
FROM g, generate_series(%(start)s, %(stop)s - 1) AS i,
     LATERAL (SELECT now() - (i %% 730) * interval '1 day' - (i %% 600) * interval '1 minute'
              AS t) x
"""


def show(name: str, times: list[float], ref: float | None = None) -> None:
    m = statistics.median(times)
    vs = f"   {m / ref:5.2f}× the bare SQL" if ref else ""
    print(f"  {name:<42} median {m * 1e3:7.2f} ms, p95 "
          f"{float(np.percentile(times, 95)) * 1e3:7.2f} ms{vs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    database_url = build(1_000_000, False)
    manage("migrate", "--noinput", "-v", "0", database_url=database_url)
    with connect(database_url) as conn:
        have = conn.execute("SELECT count(*) FROM geo_event WHERE code LIKE 'B%%'"
                            ).fetchone()
        if args.rebuild or not have or have[0] != args.rows:
            conn.execute("DELETE FROM geo_eventstep")
            conn.execute("DELETE FROM geo_event")
            t0 = time.perf_counter()
            for start in range(0, args.rows, CHUNK):
                conn.execute(INSERT, {"start": start, "stop": min(args.rows, start + CHUNK)})
                done = min(args.rows, start + CHUNK)
                print(f"\r  events {done:,}/{args.rows:,} "
                      f"[{'#' * (30 * done // args.rows):<30}]", end="", flush=True)
            conn.execute("ANALYZE geo_event")
            print(f"\n  {args.rows:,} events in {time.perf_counter() - t0:.0f} s")
        else:
            print(f"reusing the {args.rows:,} benchmark events in {BENCH_DB}")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from geo.models import Account, Event, GridUnit
    from geo.roles import Role
    from geo.services import event_map
    from geo.services import events as svc

    grid = GridUnit.objects.select_related("community").order_by("code")[7]
    p = grid.geom.point_on_surface
    user = User.objects.filter(username="bench-worker").first() or \
        User.objects.create_user("bench-worker", password="bench-worker-pw")
    Account.assign(user, Role.STAFF, grid.community.code)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    total = Event.objects.count()
    print(f"\nevents in the database: {total:,}; {args.rounds} rounds each")

    def bare_insert() -> None:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO geo_event (code, category, urgency, description, "
                        "location, address, grid_id, community_id, state, state_since, "
                        "due_at, reporter_kind, reporter_phone, created_at, updated_at, "
                        "version, department) VALUES (substr(md5(random()::text), 1, 10), "
                        "'environment', 'routine', 'x', ST_SetSRID(ST_MakePoint(%s, %s), 4326), "
                        "'', %s, %s, 'reported', now(), now(), 'resident', '', now(), now(), "
                        "1, '')",
                        [p.x, p.y, grid.pk, grid.community_id])

    def report() -> None:
        svc.report(category="environment", urgency="routine", description="bench",
                   lon=p.x, lat=p.y, by=svc.Reporter(phone="13800000000"))

    bare = timed(bare_insert, args.rounds)
    print("reporting one event:")
    show("bare INSERT of the row", bare)
    show("report(): grid by location, deadline, step", timed(report, args.rounds),
         statistics.median(bare))

    opened = ["reported", "filed", "dispatched", "handling", "handled"]

    def bare_list() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT e.* FROM geo_event e JOIN geo_community c ON "
                        "c.id = e.community_id WHERE c.code LIKE %s AND e.state = ANY(%s) "
                        "ORDER BY e.due_at, e.id LIMIT 100",
                        [grid.community.code + "%", opened])
            cur.fetchall()

    def worker_list() -> None:
        resp = client.get("/api/v1/events")
        assert resp.status_code == 200, resp.content[:200]

    ref = timed(bare_list, args.rounds)
    body = client.get("/api/v1/events").json()
    print(f"a grid worker's list ({body['count']:,} open events in their community, "
          f"{body['overdue']:,} overdue; first 100 by due time):")
    show("bare SELECT of the 100 rows", ref)
    show("GET /api/v1/events (in process)", timed(worker_list, args.rounds),
         statistics.median(ref))

    # The staff map of the whole city at zoom 14: every open event counted per screen cell.
    office = User.objects.filter(username="bench-office").first() or \
        User.objects.create_user("bench-office", password="bench-office-pw")
    Account.assign(office, Role.ADMIN, "")
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(office)
    bbox, zoom = "104.15,30.54,104.20,30.59", 14
    size = event_map.cell_metres(zoom)

    def bare_cells() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT floor(ST_X(g) / %s), floor(ST_Y(g) / %s), category, count(*) "
                        "FROM (SELECT ST_Transform(location, 3857) AS g, category FROM geo_event"
                        " WHERE state = ANY(%s) AND location && ST_MakeEnvelope(104.15, 30.54,"
                        " 104.20, 30.59, 4326)) x GROUP BY 1, 2, 3", [size, size, opened])
            cur.fetchall()

    def staff_map() -> None:
        resp = staff.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom})
        assert resp.status_code == 200, resp.content[:200]

    ref = timed(bare_cells, max(5, args.rounds // 5))
    body = staff.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom}).json()
    print(f"the staff map of the city at zoom {zoom} ({body['total']:,} open events in "
          f"{len(body['features'])} clusters):")
    show("bare SELECT … GROUP BY cell, category", ref)
    show("GET /api/v1/events/map (in process)", timed(staff_map, max(5, args.rounds // 5)),
         statistics.median(ref))
    Event.objects.exclude(code__startswith="B").delete()


if __name__ == "__main__":
    main()
