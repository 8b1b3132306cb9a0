"""Bad and heavy input (issue 15, holes 9 and 11), replayed: a fast 400 in the one error shape.

Before: ``in_bbox=nan,...``, ``reach=nan``, a 20-digit page number, a JSON ``NaN``, a NUL in a
grid name and an empty carve answered 500; 12 grids of 20,000 vertices kept a worker busy
for 10 s; anonymous clients paged the public layers 2,000 features at a time, unlimited.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from geo.models import Account
from geo.roles import Role
from tests.web.test_it_plan_api import community_state

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _refused(resp: Any, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == 400, (resp.status_code, resp.content[:300])
    body = resp.json()["error"]
    assert body["code"] and body["message"]
    if field:
        assert body.get("field") == field, body
    return dict(body)


def _planner() -> Client:
    user = User.objects.create_user("planner-in", password="pw-input-1")
    Account.assign(user, Role.PLANNER, "")
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, raw: str) -> Any:
    return client.post(url, raw, content_type="application/json")


def _ring(n: int, lon: float = 104.1, lat: float = 30.6, r: float = 0.001) -> list[list[float]]:
    pts = [[round(lon + r * math.cos(2 * math.pi * i / n), 6),
            round(lat + r * math.sin(2 * math.pi * i / n), 6)] for i in range(n)]
    return [*pts, pts[0]]


def test_it_refuses_malformed_public_queries(demo_db: None, staff_client: Client) -> None:
    client = Client()
    _refused(client.get("/api/v1/buildings/", {"in_bbox": "nan,nan,nan,nan"}), "in_bbox")
    _refused(client.get("/api/v1/buildings/", {"in_bbox": "104,30,103,31"}), "in_bbox")
    _refused(client.get("/api/v1/buildings/", {"in_bbox": "100,20,110,40"}), "in_bbox")
    _refused(client.get("/api/v1/centers/", {"page": "99999999999999999999"}), "page")
    _refused(client.get("/api/v1/centers/", {"page": "-1"}), "page")
    _refused(staff_client.get("/api/v1/coverage", {"reach": "nan"}), "reach")
    _refused(staff_client.get("/api/v1/coverage", {"reach": "inf"}), "reach")
    many = ",".join(str(100 + i) for i in range(200))
    _refused(staff_client.get("/api/v1/coverage", {"reach": many}), "reach")
    _refused(staff_client.get("/api/v1/members/list", {"page": "99999999999999999999"}),
             "page")


def test_it_bounds_what_one_public_request_returns(demo_db: None, settings: object) -> None:
    client = Client()
    page = client.get("/api/v1/buildings/", {"page_size": 2000}).json()
    assert len(page["features"]) == 500 and page["count"] > 500
    settings.RATE_LIMITS = {"api": (3, 3600)}  # type: ignore[attr-defined]
    from django.core.cache import cache

    cache.clear()
    codes = [client.get("/api/v1/districts/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.clear()


def test_it_limits_statement_time_for_web_requests_only() -> None:
    with connection.cursor() as cur:  # the settings a web worker gets
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "20s"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.db import connection as c; cur = c.cursor(); "
         "cur.execute('SHOW statement_timeout'); print(cur.fetchone()[0])"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "0", out.stderr  # commands run long


def test_it_refuses_bad_editor_bodies_quickly(demo_db: None) -> None:
    planner = _planner()
    community, state = community_state(planner)
    code = community.code
    grids = [{"id": f["id"], "geometry": f["geometry"]} for f in state["grids"]["features"]]
    body = {"grids": grids, "base": state["base"], "operation": "edit"}
    # NaN is not JSON.
    raw = json.dumps({"grids": [{"id": None, "geometry": {
        "type": "Polygon", "coordinates": [[[104.1, 30.6], [104.2, 30.6], [104.2, float("nan")],
                                            [104.1, 30.6]]]}}]})
    assert "NaN" in raw
    _refused(_post(planner, f"/api/v1/plan/communities/{code}/check", raw))
    # 1e999 is JSON, and parses as infinity.
    _refused(_post(planner, f"/api/v1/plan/communities/{code}/check",
                   raw.replace("NaN", "1e999")), "grids[0].geometry")
    # A NUL in a name, a note or a control character.
    bad_name = dict(body, grids=[dict(grids[0], name="网格\x00一"), *grids[1:]])
    _refused(_post(planner, f"/api/v1/plan/communities/{code}/save", json.dumps(bad_name)),
             "grids[0].name")
    _refused(_post(planner, f"/api/v1/plan/communities/{code}/save",
                   json.dumps(dict(body, note="a\x00b"))), "note")
    # A grid drawn wholly outside the community carves nothing.
    far = {"type": "Polygon", "coordinates": [_ring(8, lon=10.0, lat=10.0)]}
    resp = _post(planner, f"/api/v1/plan/communities/{code}/carve",
                 json.dumps({"geometry": far, "others": []}))
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "outside_community"
    # 12 grids of 20,000 vertices, and a 20,000-vertex split line.
    heavy = {"grids": [{"id": None, "geometry": {"type": "Polygon",
                                                 "coordinates": [_ring(19_999)]}}] * 12}
    resp = _post(planner, f"/api/v1/plan/communities/{code}/check", json.dumps(heavy))
    assert _refused(resp)["code"] == "too_large"
    line = {"type": "LineString", "coordinates": _ring(19_999)[:-1]}
    _refused(_post(planner, "/api/v1/plan/split", json.dumps(
        {"geometry": {"type": "Polygon", "coordinates": [_ring(20)]}, "line": line})), "line")
    # A well-formed body still goes through.
    assert _post(planner, f"/api/v1/plan/communities/{code}/check",
                 json.dumps(body)).status_code == 200
