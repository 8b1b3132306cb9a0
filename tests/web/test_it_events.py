"""Grid events over HTTP: report at a place, the seven steps by role and scope, races, Open311."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.test import Client

from geo.analysis.event_flow import State, Step, load_categories
from geo.analysis.workcal import load_calendar
from geo.models import Account, Community, Event, EventStep, GridUnit
from geo.roles import Role
from geo.services.events import locate
from webmap.open311 import REQUEST_FIELDS

pytestmark = pytest.mark.django_db


def login(role: Role, scope: str, name: str) -> Client:
    user = User.objects.create_user(name, password="pw-" + name)
    Account.assign(user, role, scope)
    client = Client()
    client.force_login(user)
    return client


def inside(grid: GridUnit) -> tuple[float, float]:
    p = grid.geom.point_on_surface
    return p.x, p.y


def report(client: Client, grid: GridUnit, **extra: Any) -> Any:
    lon, lat = inside(grid)
    body = {"category": "environment", "description": "垃圾桶满溢", "lon": lon, "lat": lat,
            "phone": "13800001234", **extra}
    resp = client.post("/api/v1/events", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def act(client: Client, code: str, action: str, version: int, **extra: Any) -> Any:
    return client.post(f"/api/v1/events/{code}/act", {"action": action, "version": version,
                                                      **extra},
                       content_type="application/json")


def test_it_places_an_event_in_its_grid(demo_db: None) -> None:
    grid = GridUnit.objects.order_by("code")[10]
    grid_found, community = locate(Point(*inside(grid), srid=4326))
    assert grid_found == grid and community == grid.community
    # On the boundary two grids share: the lower code takes it, every time.
    neighbour = GridUnit.objects.filter(geom__touches=grid.geom).exclude(pk=grid.pk).first()
    assert neighbour is not None
    shared = grid.geom.intersection(neighbour.geom)
    on_edge = shared.point_on_surface if not shared.empty else None
    assert on_edge is not None
    found, _ = locate(on_edge)
    assert found is not None and found.code == min(grid.code, neighbour.code)
    # Outside every grid and community: no grid, no community.
    assert locate(Point(100.0, 20.0, srid=4326)) == (None, None)


def test_it_takes_a_residents_report_with_a_deadline(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.order_by("code")[3]
    anonymous = Client()
    no_phone = anonymous.post("/api/v1/events", {
        "category": "environment", "description": "x", "lon": 104.1, "lat": 30.6},
        content_type="application/json")
    assert no_phone.status_code == 400 and no_phone.json()["error"]["field"] == "phone"
    bad = anonymous.post("/api/v1/events", {"category": "ufo", "description": "x",
                                            "lon": 104.1, "lat": 30.6, "phone": "13800001234"},
                         content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "category"
    event = report(anonymous, grid)
    assert event["state"] == "reported" and event["grid"] == grid.code
    assert event["reporter_phone"] == "138****1234"  # masked, even to the reporter
    stored = Event.objects.get(code=event["code"])
    limit = load_categories()["environment"].limit("routine", Step.FILE)
    assert stored.due_at == load_calendar().due(stored.state_since, limit)
    # Anyone with the code follows it; nobody without it learns the phone.
    seen = anonymous.get(f"/api/v1/events/{event['code']}").json()
    assert seen["state_name"] and seen["actions"] == []


def test_it_runs_the_seven_steps_by_role_and_scope(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[20]
    community = grid.community
    office = login(Role.PLANNER, community.street.code, "street-office")
    worker = login(Role.STAFF, community.code, "grid-worker")
    other = Community.objects.exclude(pk=community.pk).exclude(
        street=community.street).order_by("code").first()
    assert other is not None
    stranger = login(Role.STAFF, other.code, "other-worker")
    viewer = login(Role.VIEWER, "", "viewer")
    event = report(Client(), grid)
    code, v = event["code"], event["version"]
    assert act(worker, code, "file", v).status_code == 403  # a worker does not file
    assert act(viewer, code, "file", v).status_code == 403  # a viewer acts on nothing
    assert act(Client(), code, "file", v).status_code == 403  # nor does anyone anonymous
    assert act(office, code, "verify", v).status_code == 409  # not in that state
    steps = [(office, "file", {}), (office, "dispatch", {}), (worker, "accept", {}),
             (worker, "report_back", {"note": "已清运"}), (office, "verify", {}),
             (office, "evaluate", {"score": 5})]
    for client, action, extra in steps:
        if action == "accept":
            # Another community's worker may not touch it.
            assert act(stranger, code, action, v).status_code == 403
        resp = act(client, code, action, v, **extra)
        assert resp.status_code == 200, (action, resp.content)
        v = resp.json()["version"]
    assert resp.json()["state"] == State.EVALUATED
    log = list(EventStep.objects.filter(event__code=code).values_list("action", "actor_kind"))
    assert log == [("report", "resident"), ("file", "supervisor"), ("dispatch", "supervisor"),
                   ("accept", "worker"), ("report_back", "worker"), ("verify", "supervisor"),
                   ("evaluate", "supervisor")]
    listed = worker.get("/api/v1/events", {"state": "evaluated"}).json()
    assert [e["code"] for e in listed["events"]] == [code]
    assert stranger.get("/api/v1/events", {"state": "evaluated"}).json()["events"] == []


def test_it_refuses_the_second_of_two_racing_actions(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[30]
    office = login(Role.ADMIN, "", "office-a")
    event = report(Client(), grid)
    first = act(office, event["code"], "file", event["version"])
    second = act(office, event["code"], "reject", event["version"], note="重复")
    assert first.status_code == 200 and second.status_code == 409
    body = second.json()
    assert body["error"]["code"] == "conflict" and body["event"]["state"] == "filed"
    assert Event.objects.get(code=event["code"]).state == "filed"


def test_it_reopens_a_failed_verification_and_keeps_the_notes(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.order_by("code")[40]
    office = login(Role.ADMIN, "", "office-b")
    event = report(Client(), grid)
    v = event["version"]
    for action, extra in (("file", {}), ("dispatch", {}), ("accept", {}),
                          ("report_back", {"note": "已处理"})):
        v = act(office, event["code"], action, v, **extra).json()["version"]
    assert act(office, event["code"], "reopen", v).status_code == 400  # a note is owed
    resp = act(office, event["code"], "reopen", v, note="现场仍未清理")
    assert resp.json()["state"] == "handling"
    assert EventStep.objects.filter(event__code=event["code"], action="reopen",
                                    note="现场仍未清理").exists()


def test_it_speaks_open311_georeport_v2(demo_db: None) -> None:
    cache.clear()
    client = Client()
    services = client.get("/open311/v2/services.json").json()
    assert {"environment", "safety"} <= {s["service_code"] for s in services}
    assert set(services[0]) == {"service_code", "service_name", "description", "metadata",
                                "type", "keywords", "group"}
    grid = GridUnit.objects.order_by("code")[50]
    lon, lat = inside(grid)
    created = client.post("/open311/v2/requests.json", {
        "service_code": "facility", "lat": lat, "long": lon, "description": "路灯不亮",
        "phone": "13912345678", "address_string": "路口"})
    assert created.status_code == 201
    sid = created.json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{sid}.json").json()
    assert len(one) == 1 and tuple(one[0]) == REQUEST_FIELDS
    assert one[0]["status"] == "open" and one[0]["lat"] == pytest.approx(lat, abs=1e-6)
    assert "13912345678" not in json.dumps(one, ensure_ascii=False)
    listed = client.get("/open311/v2/requests.json", {"status": "open",
                                                       "service_code": "facility"}).json()
    assert sid in {r["service_request_id"] for r in listed}
    # Closed once verified: the Open311 view follows our steps.
    office = login(Role.ADMIN, "", "office-c")
    event = Event.objects.get(code=sid)
    v = event.version
    for action, extra in (("file", {}), ("dispatch", {}), ("accept", {}),
                          ("report_back", {"note": "已修复"}), ("verify", {})):
        v = act(office, sid, action, v, **extra).json()["version"]
    closed = client.get(f"/open311/v2/requests/{sid}.json").json()[0]
    assert closed["status"] == "closed" and closed["expected_datetime"] is None
    missing = client.post("/open311/v2/requests.json", {"service_code": "facility"})
    assert missing.status_code == 400 and missing.json()[0]["code"] == 400
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"status": "maybe"}).status_code == 400
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    assert client.get("/open311/v2/requests.json", {"start_date": since}).status_code == 200


def test_it_limits_reports_per_client(demo_db: None, settings: object) -> None:
    settings.RATE_LIMITS = {"report": (2, 1_000_000)}  # type: ignore[attr-defined]
    cache.clear()
    client = Client(REMOTE_ADDR="10.0.0.11")
    grid = GridUnit.objects.order_by("code")[5]
    lon, lat = inside(grid)
    body = {"service_code": "environment", "lat": lat, "long": lon, "description": "x",
            "phone": "13800000000"}
    codes = [client.post("/open311/v2/requests.json", body).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_it_shows_the_tracking_page_in_one_language(demo_db: None) -> None:
    from tests.web.test_it_one_language import CJK, ENGLISH_WORD, NAMES, data_strings, visible

    cache.clear()
    grid = GridUnit.objects.order_by("code")[60]
    event = report(Client(), grid, description="路灯不亮")
    data = [*data_strings(), "路灯不亮", event["code"]]
    english = Client().get(f"/events/{event['code']}/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    text = visible(english.content.decode(), data).replace("中文", " ")
    assert CJK.findall(text) == []
    chinese = Client().get(f"/events/{event['code']}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    words = ENGLISH_WORD.findall(visible(chinese.content.decode(), data))
    assert [w for w in words if w not in NAMES] == []
    assert "13800001234" not in chinese.content.decode()
    assert Client().get("/events/NOSUCHCODE/").status_code == 404


def test_it_reports_on_time_rates_per_step_and_grid(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[70]
    office = login(Role.ADMIN, "", "office-rates")
    event = report(Client(), grid)
    v = event["version"]
    for action in ("file", "dispatch"):
        v = act(office, event["code"], action, v).json()["version"]
    # Make the dispatch late: move the filing back to a Monday 09:00 and the dispatch to
    # 10:00 (routine dispatch limit: 30 working minutes); the report 5 minutes earlier.
    steps = EventStep.objects.filter(event__code=event["code"])
    monday = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    steps.filter(action="report").update(at=monday - dt.timedelta(minutes=5))
    steps.filter(action="file").update(at=monday)
    steps.filter(action="dispatch").update(at=monday + dt.timedelta(hours=1))
    body = office.get("/api/v1/events/rates").json()
    mine = next(g for g in body["grids"] if g["code"] == grid.code)["steps"]
    assert mine["file"] == {"finished": 1, "on_time": 1, "rate": 1.0}
    assert mine["dispatch"] == {"finished": 1, "on_time": 0, "rate": 0.0}
    assert "handle" not in mine  # still running
    street = next(g for g in body["streets"] if g["code"] == grid.community.street.code)
    assert street["steps"]["dispatch"]["finished"] >= 1
    assert Client().get("/api/v1/events/rates").status_code in (401, 403)


def test_it_adds_events_to_the_coverage_report(demo_db: None, staff_client: Client) -> None:
    import io

    from openpyxl import load_workbook

    from webmap.reports.jsonout import schema

    cache.clear()
    grids = list(GridUnit.objects.select_related("community").order_by("code")[80:82])
    for grid in grids:
        report(Client(), grid)
    report(Client(), grids[0])  # the first grid is its community's hot spot
    late = Event.objects.filter(grid=grids[0]).latest("id")
    Event.objects.filter(pk=late.pk).update(due_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    resp = staff_client.get("/reports/export", {"scope": "510199", "format": "json"})
    assert resp.status_code == 200
    body = json.loads(resp.content)
    from jsonschema import validate
    validate(body, schema())
    rows = {r["community_code"]: r for r in body["events"]}
    mine = rows[grids[0].community.code]
    in_db = Event.objects.filter(community=grids[0].community)
    assert mine["events"] == in_db.count() and mine["overdue"] >= 1
    from collections import Counter
    per_grid = Counter(in_db.exclude(grid=None).values_list("grid__code", flat=True))
    top = max(per_grid.values())
    assert mine["hot_grid_events"] == top
    assert mine["hot_grid"] == min(g for g, n in per_grid.items() if n == top)
    assert body["summary"]["events"]["events"] == Event.objects.filter(
        community__code__startswith="510199").count()
    book = load_workbook(io.BytesIO(staff_client.get(
        "/reports/export", {"scope": "510199", "format": "xlsx"}).content))
    sheet = book["网格事件"]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {g.community.code for g in grids} <= codes
    html = staff_client.get("/reports/export", {"scope": "510199", "format": "html"})
    assert 'id="events"' in html.content.decode()


def test_it_proposes_merging_likely_duplicates(demo_db: None) -> None:
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[90]
    lon, lat = inside(grid)
    near = [report(Client(), grid, lon=lon + d, lat=lat) for d in (0.0, 0.0001, 0.0002)]
    other_kind = report(Client(), grid, category="safety")
    far_grid = GridUnit.objects.order_by("code")[200]
    far = report(Client(), far_grid)
    office = login(Role.PLANNER, grid.community.street.code, "office-dupes")
    body = office.get("/api/v1/events/duplicates").json()
    assert body["metres"] == 50 and body["hours"] == 24
    mine = [g for g in body["groups"] if g["keep"] in {e["code"] for e in near}]
    assert len(mine) == 1
    assert [mine[0]["keep"], *mine[0]["merge"]] == [e["code"] for e in near]  # earliest kept
    codes = {c for g in body["groups"] for c in [g["keep"], *g["merge"]]}
    assert other_kind["code"] not in codes and far["code"] not in codes
    # The office merges one; it leaves the proposals.
    v = near[2]["version"]
    resp = act(office, near[2]["code"], "merge", v, merge_into=near[0]["code"])
    assert resp.status_code == 200 and resp.json()["state"] == "merged"
    again = office.get("/api/v1/events/duplicates").json()["groups"]
    group = next(g for g in again if g["keep"] == near[0]["code"])
    assert group["merge"] == [near[1]["code"]]


def _jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 0.0), 3: "E", 4: (104.0, 4.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_it_keeps_photos_small_and_without_metadata(demo_db: None) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    cache.clear()
    grid = GridUnit.objects.select_related("community").order_by("code")[95]
    lon, lat = inside(grid)
    raw = _jpeg_with_gps()
    assert b"PhoneMaker" in raw
    form = {"category": "environment", "description": "积水", "lon": lon, "lat": lat,
            "phone": "13800003333",
            "photo": SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg")}
    resp = Client().post("/api/v1/events", form)
    assert resp.status_code == 201, resp.content
    code = resp.json()["code"]
    staff = login(Role.STAFF, grid.community.code, "photo-worker")
    detail = staff.get(f"/api/v1/events/{code}").json()
    assert len(detail["photos"]) == 1
    assert "photos" not in Client().get(f"/api/v1/events/{code}").json()  # not for anyone
    photo = staff.get(detail["photos"][0])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    kept = Image.open(io.BytesIO(photo.content))
    assert max(kept.size) == 1600 and kept.size[0] / kept.size[1] == pytest.approx(1.5, 0.01)
    assert b"PhoneMaker" not in photo.content and not kept.getexif()
    assert Client().get(detail["photos"][0]).status_code in (401, 403)
    elsewhere = Community.objects.exclude(pk=grid.community_id).order_by("code").first()
    assert elsewhere is not None
    other = login(Role.STAFF, elsewhere.code, "other-photo-worker")
    assert other.get(detail["photos"][0]).status_code == 404
    # A file that is not an image, named .jpg, is refused and nothing is written.
    before = Event.objects.count()
    fake = {**form, "photo": SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo",
                                                content_type="image/jpeg")}
    bad = Client().post("/api/v1/events", fake)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "photo"
    assert Event.objects.count() == before
