"""/api/v1/stars, scores and rectifications, the /stars/ page and the report's weak list:
the rating agrees with its inputs, scores need evidence and the right, rectification moves
only forward and refuses a stale write."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from geo.models import Community, Rectification, StarScore
from geo.roles import Role
from tests.web.helpers import role_client

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def _json(client: Client, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def test_it_rates_every_community_and_lists_the_weakest(demo_db: None) -> None:
    viewer = role_client("s-viewer", Role.VIEWER, "510199")
    body = viewer.get("/api/v1/stars", {"scope": "510199"}).json()
    comms = body["communities"]
    n = Community.objects.filter(code__startswith="510199").count()
    assert len(comms) == n and len(body["stars"]) == 10
    for c in comms:
        assert c["total"] == pytest.approx(sum(it["points"] for it in c["items"]), abs=0.2)
        assert c["stars"] == sum(it["earned"] for it in c["items"])
        assert all(it["earned"] == (it["points"] >= 8) for it in c["items"])
        scored = {s.star: float(s.points) for s in StarScore.objects.filter(
            community__code=c["code"], year=YEAR)}
        for it in c["items"]:
            if it["source"] == "scored":
                assert it["points"] == scored[it["star"]]
    # The weak list: ⌈5% × n⌉ at least, the lowest totals, each with its reasons.
    weak = body["weak"]
    assert len(weak) >= math.ceil(0.05 * n) and weak[0]["rank"] == 1
    cut = max(w["total"] for w in weak)
    listed = {w["code"] for w in weak}
    assert all(c["total"] >= cut for c in comms if c["code"] not in listed)
    assert all(w["reasons"] and "leaders" in w for w in weak)


def test_it_lets_an_evaluator_score_with_evidence_once_per_version(demo_db: None) -> None:
    c = Community.objects.filter(code__startswith="510199").order_by("code").first()
    assert c is not None
    admin = role_client("s-admin", Role.ADMIN, "510199")
    url = f"/api/v1/stars/scores/{c.code}/{YEAR - 1}/brand"
    made = _json(admin, url, {"points": "9.5", "evidence": "社区书院品牌，年度报道 3 篇"}, "put")
    assert made.status_code == 201 and made.json()["version"] == 1
    assert _json(admin, url, {"points": "2", "evidence": "x"}, "put").status_code == 409
    changed = _json(admin, url, {"points": "8", "evidence": "复核后", "version": 1}, "put")
    assert changed.status_code == 200 and changed.json()["points"] == 8
    for body, field in [({"points": "11", "evidence": "x"}, "points"),
                        ({"points": "5"}, "evidence")]:
        assert _json(admin, url, body, "put").json()["error"]["field"] == field
    assert _json(admin, f"/api/v1/stars/scores/{c.code}/{YEAR}/vibes",
                 {"points": "5", "evidence": "x"}, "put").json()["error"]["field"] == "star"
    # Community staff may not score their own community.
    staff = role_client("s-staff", Role.STAFF, c.code)
    assert _json(staff, url, {"points": "10", "evidence": "自评", "version": 2},
                 "put").status_code == 403
    assert StarScore.objects.get(community=c, year=YEAR - 1, star="brand").points == 8


def test_it_tracks_a_rectification_to_closure(demo_db: None) -> None:
    admin = role_client("s-admin2", Role.ADMIN, "510199")
    weak = admin.get("/api/v1/stars", {"scope": "510199"}).json()["weak"][0]
    made = _json(admin, "/api/v1/rectifications", {"community": weak["code"], "year": YEAR})
    assert made.status_code == 201
    r = made.json()
    assert r["status"] == "open" and r["reasons"] == weak["reasons"]
    again = _json(admin, "/api/v1/rectifications", {"community": weak["code"], "year": YEAR})
    assert again.status_code == 409
    url = f"/api/v1/rectifications/{r['id']}/advance"
    assert _json(admin, url, {"status": "in_progress", "version": 5}).status_code == 409
    moved = _json(admin, url, {"status": "in_progress", "note": "调整班子", "version": 1})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    # Closing needs what was done; then nothing moves any more.
    refused = _json(admin, url, {"status": "in_progress", "version": 2})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "bad_move"
    closed = _json(admin, url, {"status": "closed", "note": "阵地达标，社工配齐", "version": 2})
    assert closed.status_code == 200
    done = closed.json()
    assert done["status"] == "closed" and done["closed_on"] == timezone.localdate().isoformat()
    assert "调整班子" in done["measures"] and "社工配齐" in done["measures"]
    assert _json(admin, url, {"status": "closed", "note": "x", "version": 3}).status_code == 400
    listed = admin.get("/api/v1/stars", {"scope": "510199"}).json()["weak"]
    assert next(w for w in listed if w["code"] == weak["code"])["rectification"]["status"] == \
        "closed"
    assert Rectification.objects.get(pk=r["id"]).history.count() == 3
    viewer = role_client("s-viewer2", Role.VIEWER, "510199")
    assert _json(viewer, url, {"status": "closed", "version": 3}).status_code == 403
    assert _json(viewer, "/api/v1/rectifications",
                 {"community": weak["code"], "year": YEAR - 1}).status_code == 403


def test_it_serves_the_page_and_the_report_uses_the_star_weak_list(demo_db: None,
                                                                  tmp_path: Path) -> None:
    viewer = role_client("s-viewer3", Role.VIEWER, "510199")
    page = viewer.get("/stars/").content.decode()
    assert "星级评定与软弱涣散整顿" in page and 'id="score-form"' not in page
    assert Client().get("/stars/").status_code == 302
    out = tmp_path / "r.json"
    call_command("coverage_report", "--scope", "510199", "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    data = json.loads(out.read_text(encoding="utf-8"))
    api = viewer.get("/api/v1/stars", {"scope": "510199"}).json()
    assert data["schema_version"] == 2
    assert [r["code"] for r in data["rectification"]] == [w["code"] for w in api["weak"]]
    assert data["summary"]["rectification"]["count"] == len(api["weak"])
    totals = {c["code"]: c["total"] for c in api["communities"]}
    assert {s["code"]: s["total"] for s in data["stars"]} == totals
