"""/api/v1/signs: sign sites on main roads inside the reach with bearings that point at the
center, the text to print, and the procurement exports (formula-safe); refused to strangers."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from geo.analysis.signs import GEOD
from geo.models import Account, ServiceCenter
from geo.roles import Role

pytestmark = pytest.mark.django_db

SCOPE = "510199001"


def _viewer() -> Client:
    user = User.objects.create_user("s-viewer")
    Account.assign(user, Role.VIEWER, SCOPE)
    client = Client()
    client.force_login(user)
    return client


def _on_main_road(lon: float, lat: float) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM geo_walkedge WHERE highway IN "
                    "('trunk', 'primary') AND ST_DWithin(geom::geography, "
                    "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, 0.5))", [lon, lat])
        return bool(cur.fetchone()[0])


def test_it_puts_signs_on_main_roads_pointing_at_their_centers(demo_db: None) -> None:
    out = _viewer().get("/api/v1/signs", {"scope": SCOPE}).json()
    assert out["reach_m"] == 1000 and out["signs"] > 0
    assert out["signs"] == sum(len(c["signs"]) for c in out["centers"])
    for c in out["centers"]:
        center = ServiceCenter.objects.get(pk=c["id"])
        assert center.licensed
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
    client = _viewer()
    out = client.get("/api/v1/signs", {"scope": SCOPE}).json()
    named = next(c for c in out["centers"] if c["signs"])
    center = ServiceCenter.objects.get(pk=named["id"])
    center.name = "=HYPERLINK(\"x\")中心"
    center.save()
    resp = client.get("/api/v1/signs", {"scope": SCOPE, "output": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["服务中心", "牌面文字", "箭头方向"]
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
