"""/api/v1/signs: sign sites on main roads inside the reach with bearings that point at the
center, the text to print, and the procurement exports (formula-safe); refused to strangers."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from geo.analysis.signs import GEOD
from geo.models import ServiceCenter
from geo.roles import Role
from tests.web.helpers import post_json, role_client

pytestmark = pytest.mark.django_db

SCOPE = "510199001"


def _viewer() -> Client:
    return role_client("s-viewer", Role.VIEWER, SCOPE)


def _on_main_road(lon: float, lat: float) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM geo_walkedge WHERE highway IN "
                    "('trunk', 'primary') AND ST_DWithin(geom::geography, "
                    "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, 0.5))", [lon, lat])
        return bool(cur.fetchone()[0])


def _fresh() -> None:
    """Forget the demo's signs: these tests plan from nothing."""
    from geo.models import DirectionSign

    DirectionSign.objects.all().delete()


def test_it_puts_signs_on_main_roads_pointing_at_their_centers(demo_db: None) -> None:
    from geo.models import DirectionSign

    demo = DirectionSign.objects.filter(source="demo")
    assert {"installed", "approved"} <= set(demo.values_list("status", flat=True))
    assert set(demo.values_list("origin", flat=True)) == {"generated"}
    _fresh()
    out = _viewer().get("/api/v1/signs", {"scope": SCOPE}).json()
    assert out["reach_m"] == 1000 and out["signs"] > 0
    assert out["signs"] == sum(len(c["signs"]) for c in out["centers"])
    for c in out["centers"]:
        center = ServiceCenter.objects.select_related("community", "street").get(pk=c["id"])
        assert center.licensed
        code = center.community.code if center.community else center.street.code
        assert code.startswith(SCOPE)  # the scope's own centers only
        assert len(c["signs"]) <= 4 and c["households_guided"] <= c["households_served"]
        for s in c["signs"]:
            assert _on_main_road(s["lon"], s["lat"]), s
            assert 30 <= s["walk_m"] <= 1000
            _az, _back, far = GEOD.inv(s["lon"], s["lat"], c["lon"], c["lat"])
            x, y, _ = GEOD.fwd(s["lon"], s["lat"], s["bearing_deg"], far)
            assert GEOD.inv(x, y, c["lon"], c["lat"])[2] < far * 0.002 + 0.05  # 0.1° rounding
            assert s["text"] == f"→ {center.name} {s['walk_m']} 米"
            assert s["hours"] == center.opening_hours
            # Walking is never shorter than the straight line to the center.
            assert s["walk_m"] >= far - 10


def test_it_exports_signs_for_procurement_without_formulas(demo_db: None) -> None:
    _fresh()
    client = _viewer()
    out = client.get("/api/v1/signs", {"scope": SCOPE}).json()
    named = next(c for c in out["centers"] if c["signs"])
    center = ServiceCenter.objects.get(pk=named["id"])
    center.name = "=HYPERLINK(\"x\")中心"
    center.save()
    resp = client.get("/api/v1/signs", {"scope": SCOPE, "output": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["服务中心", "状态", "牌面文字"]
    assert len(rows) - 1 == out["signs"]
    assert any(r[0] == "'=HYPERLINK(\"x\")中心" for r in rows[1:])
    book = load_workbook(io.BytesIO(client.get("/api/v1/signs", {
        "scope": SCOPE, "output": "xlsx"}).content))
    ws = book["指引牌"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert len(cells) == out["signs"]
    hit = [c for c in cells if c.value == "=HYPERLINK(\"x\")中心"]
    assert hit and all(c.data_type == "s" for c in hit)


def test_it_refuses_strangers_and_other_scopes(demo_db: None) -> None:
    assert Client().get("/api/v1/signs").status_code in (401, 403)
    assert _viewer().get("/api/v1/signs", {"scope": "510199002"}).status_code == 403
    page = Client().get("/signs/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def _planner() -> Client:
    return role_client("s-planner", Role.PLANNER, SCOPE)


def test_it_saves_the_reviewed_plan_and_plans_around_approved_signs(demo_db: None) -> None:
    from geo.models import DirectionSign

    _fresh()
    planner, viewer = _planner(), _viewer()
    out = planner.get("/api/v1/signs", {"scope": SCOPE}).json()
    body = {"scope": SCOPE, "fingerprint": out["fingerprint"]}
    assert post_json(viewer, "/api/v1/signs/save", body).status_code == 403
    assert post_json(planner, "/api/v1/signs/save", {**body, "fingerprint": "0" * 16}
                 ).status_code == 409
    saved = post_json(planner, "/api/v1/signs/save", body)
    assert saved.status_code == 200 and saved.json()["saved"] == out["signs"] > 0
    stored = DirectionSign.objects.filter(status="proposed")
    assert stored.count() == out["signs"]
    first = stored.order_by("-households", "pk").first()
    assert first is not None
    url = f"/api/v1/signs/{first.pk}/advance"
    assert post_json(viewer, url, {"to": "approved", "version": 1}).status_code == 403
    skip = post_json(planner, url, {"to": "installed", "version": 1})
    assert skip.status_code == 400 and skip.json()["error"]["code"] == "bad_move"
    assert post_json(planner, url, {"to": "approved", "version": 1}).status_code == 200
    assert post_json(planner, url, {"to": "removed", "version": 1}).status_code == 409

    again = planner.get("/api/v1/signs", {"scope": SCOPE}).json()
    mine = next(c for c in again["centers"] if c["id"] == first.center_id)
    assert [s["status"] for s in mine["stored"]].count("approved") == 1
    kept = next(s for s in mine["stored"] if s["status"] == "approved")
    approved_and_new = 1 + len(mine["signs"])
    assert approved_and_new <= 4
    for s in mine["signs"]:  # new sites keep their distance from the approved one
        assert GEOD.inv(s["lon"], s["lat"], kept["lon"], kept["lat"])[2] >= 150 - 0.5
    # The export lists stored signs with their status.
    rows = list(csv.reader(io.StringIO(planner.get("/api/v1/signs", {
        "scope": SCOPE, "output": "csv"}).content.decode("utf-8-sig"))))
    assert any(r[1] == "已批准" and r[2] == kept["text"] for r in rows[1:])
