"""The staff map of events (points or cells), its filters, departments, unsettled calendars."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pyproj import Transformer

from geo.models import Community, Event, GridUnit
from geo.roles import Role
from geo.services import event_map
from tests.analysis.test_it_clusters import brute
from tests.web.test_it_events import act, inside, login, report

pytestmark = pytest.mark.django_db
TO_MERC = Transformer.from_crs(4326, 3857, always_xy=True)
TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


def _bulk(community: Community, grid: GridUnit, n: int, seed: int) -> list[Event]:
    """``n`` filed events scattered over ``grid``'s box, every 7th overdue, two categories."""
    import random

    rng = random.Random(seed)
    w, s, e, nn = grid.geom.extent
    now = timezone.now()
    rows = [Event(category="environment" if i % 3 else "safety", description=f"e{i}",
                  location=Point(rng.uniform(w, e), rng.uniform(s, nn), srid=4326),
                  grid=grid, community=community, state="filed", state_since=now,
                  due_at=now - dt.timedelta(hours=1) if i % 7 == 0 else
                  now + dt.timedelta(days=1),
                  reporter_kind="resident", reporter_phone="13800001234")
            for i in range(n)]
    return Event.objects.bulk_create(rows)


def test_it_counts_events_per_screen_cell_when_too_many_to_draw(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[30]
    community = grid.community
    made = _bulk(community, grid, event_map.MAX_POINTS + 80, seed=7)
    office = login(Role.PLANNER, community.street.code, "map-office")
    w, s, e, n = grid.geom.extent
    bbox = f"{w - 0.01},{s - 0.01},{e + 0.01},{n + 0.01}"
    zoom = 16
    body = office.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom}).json()
    assert body["mode"] == "cells" and body["total"] == len(made)
    assert sum(f["count"] for f in body["features"]) == len(made)
    # The same clusters independently: project, divide, floor; then join the cells whose
    # mean positions are near (the brute-force greedy of the clusters' own test).
    size = event_map.cell_metres(zoom)
    assert body["cell_m"] == pytest.approx(size)
    cells: dict[tuple[int, int], list[tuple[float, float, Event]]] = defaultdict(list)
    for ev in made:
        x, y = TO_MERC.transform(ev.location.x, ev.location.y)
        cells[(math.floor(x / size), math.floor(y / size))].append((x, y, ev))
    members = list(cells.values())
    means = [(sum(m[0] for m in c) / len(c), sum(m[1] for m in c) / len(c)) for c in members]
    joined = brute(means, [len(c) for c in members], event_map.JOIN_PX / event_map.CELL_PX * size)
    now = timezone.now()
    expected = {}
    for group in joined:
        evs = [m for i in group for m in members[i]]
        late = sum(1 for *_, ev in evs if ev.due_at is not None and ev.due_at < now)
        top = Counter(ev.category for *_, ev in evs).most_common()
        lon, lat = TO_LONLAT.transform(sum(m[0] for m in evs) / len(evs),
                                       sum(m[1] for m in evs) / len(evs))
        expected[(round(lon, 5), round(lat, 5))] = (len(evs), late, min(
            c for c, k in top if k == top[0][1]))
    got = {(round(f["lon"], 5), round(f["lat"], 5)): (f["count"], f["overdue"], f["category"])
           for f in body["features"]}
    assert got == expected
    # A category filter, and few enough to draw: each event, with its code.
    body = office.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom,
                                             "category": "safety"}).json()
    safety = [ev for ev in made if ev.category == "safety"]
    assert body["mode"] == "points" and body["total"] == len(safety)
    assert {f["code"] for f in body["features"]} == {ev.code for ev in safety}
    past_due = [ev for ev in safety if ev.due_at is not None and ev.due_at < timezone.now()]
    assert sum(f["overdue"] for f in body["features"]) == len(past_due)
    # Another community's staff sees none of them; anonymous is refused; a city-wide report
    # viewer reads them (and acts on none: see the list's actions).
    other = Community.objects.exclude(street=community.street).order_by("code").first()
    assert other is not None
    stranger = login(Role.STAFF, other.code, "map-stranger")
    assert stranger.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom}).json()["total"] == 0
    assert Client().get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom}).status_code == 401
    viewer = login(Role.VIEWER, "", "map-viewer")
    assert viewer.get("/api/v1/events/map", {"bbox": bbox, "zoom": zoom}).json()["total"] == len(
        made)


@pytest.mark.parametrize(("query", "field"), [
    ({"bbox": "1,2,3", "zoom": 12}, "bbox"),
    ({"bbox": "104.2,30.5,104.1,30.7", "zoom": 12}, "bbox"),
    ({"bbox": "100,20,110,30", "zoom": 12}, "bbox"),  # a continent, not a view
    ({"bbox": "104.0,30.5,104.1,30.6", "zoom": 40}, "zoom"),
    ({"bbox": "104.0,30.5,104.1,30.6", "zoom": 12, "state": "lost"}, "state"),
    ({"bbox": "104.0,30.5,104.1,30.6", "zoom": 12, "category": "ufo"}, "category"),
    ({"bbox": "104.0,30.5,104.1,30.6", "zoom": 12, "since": "2026-05-02",
      "until": "2026-05-01"}, "until"),
])
def test_it_refuses_bad_map_parameters(demo_db: None, query: dict[str, object],
                                       field: str) -> None:
    office = login(Role.PLANNER, "", "map-params")
    resp = office.get("/api/v1/events/map", query)
    assert resp.status_code == 400, resp.content
    assert field in resp.content.decode()


def test_it_filters_the_list_by_category_and_day(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community").order_by("code")[40]
    first = report(Client(), grid)
    second = report(Client(), grid, category="safety")
    # The first was reported on 3 May (Beijing), the second today.
    Event.objects.filter(code=first["code"]).update(
        created_at=dt.datetime(2026, 5, 3, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    office = login(Role.STAFF, grid.community.code, "list-filter")

    def codes(**query: str) -> set[str]:
        resp = office.get("/api/v1/events", query)
        assert resp.status_code == 200, resp.content
        return {e["code"] for e in resp.json()["events"]}

    assert codes() == {first["code"], second["code"]}
    assert codes(category="safety") == {second["code"]}
    assert codes(since="2026-05-03", until="2026-05-03") == {first["code"]}  # a Beijing day
    assert codes(since="2026-05-04", until="2026-05-05") == set()
    assert codes(until="2026-05-02") == set()


def test_it_hands_an_event_to_a_department_and_back(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[50]
    office = login(Role.PLANNER, grid.community.street.code, "dept-office")
    worker = login(Role.STAFF, grid.community.code, "dept-worker")
    event = report(Client(), grid)
    code = event["code"]
    v = act(office, code, "file", event["version"]).json()["version"]
    assert act(office, code, "dispatch", v, department="nowhere").status_code == 400
    both = act(office, code, "dispatch", v, department="market", grid=grid.code)
    assert both.status_code == 400
    resp = act(office, code, "dispatch", v, department="market")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["department"] == "market" and body["department_name"] == "市场监督管理部门"
    v = body["version"]
    # The department answers the office: the grid worker may not accept for it.
    mine = worker.get("/api/v1/events").json()["events"]
    assert next(e for e in mine if e["code"] == code)["actions"] == []
    assert act(worker, code, "accept", v).status_code == 403
    v = act(office, code, "accept", v).json()["version"]
    # The office hands it back to the grid: the worker may act again.
    resp = act(office, code, "reassign", v, grid=grid.code, note="属网格自治事项")
    assert resp.status_code == 200 and resp.json()["department"] == ""
    v = resp.json()["version"]
    assert act(worker, code, "accept", v).status_code == 200
    steps = Event.objects.get(code=code).steps.order_by("id")
    assert [(s.action, s.department) for s in steps] == [
        ("report", ""), ("file", ""), ("dispatch", "market"), ("accept", ""),
        ("reassign", ""), ("accept", "")]


def test_it_names_deadlines_in_an_unsettled_year(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community").order_by("code")[60]
    event = report(Client(), grid)
    office = login(Role.STAFF, grid.community.code, "calendar-office")
    Event.objects.filter(code=event["code"]).update(
        due_at=dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC))
    assert office.get("/api/v1/events").json()["calendar_unsettled"] == [2027]
    Event.objects.filter(code=event["code"]).update(
        due_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    assert office.get("/api/v1/events").json()["calendar_unsettled"] == []


def test_it_keeps_the_map_within_scope_on_a_real_point(demo_db: None) -> None:
    """A single event shows as a point with its code, where it was reported."""
    cache.clear()
    grid = GridUnit.objects.select_related("community").order_by("code")[70]
    event = report(Client(), grid)
    lon, lat = inside(grid)
    office = login(Role.STAFF, grid.community.code, "point-office")
    body = office.get("/api/v1/events/map", {
        "bbox": f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}", "zoom": 18}).json()
    assert body["mode"] == "points" and body["total"] == 1
    f = body["features"][0]
    assert f["code"] == event["code"] and f["count"] == 1 and f["overdue"] == 0
    assert (f["lon"], f["lat"]) == pytest.approx((lon, lat), abs=1e-6)
