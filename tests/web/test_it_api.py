"""The JSON/GeoJSON API: layers by bbox and code, analysis endpoints, one error format."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from geo.models import Community, GridUnit
from tests.analysis_helpers import run_json

pytestmark = pytest.mark.django_db


def test_it_serves_every_layer_as_paginated_geojson(demo_db: None, staff_client: Client) -> None:
    for layer in ["districts", "streets", "communities", "grids", "centers", "units",
                  "pairings", "compounds", "buildings", "roads"]:
        resp = staff_client.get(f"/api/v1/{layer}/", {"page_size": 5})
        assert resp.status_code == 200, layer
        body = resp.json()
        assert body["type"] == "FeatureCollection"
        assert body["count"] >= 1 and len(body["features"]) <= 5, layer
        assert body["features"][0]["geometry"]["type"], layer


def test_it_filters_by_hierarchy_code_and_bbox(demo_db: None, client: Client) -> None:
    comm = Community.objects.order_by("code")[3]
    body = client.get("/api/v1/grids/", {"code": comm.code, "page_size": 500}).json()
    assert body["count"] == GridUnit.objects.filter(community=comm).count()
    assert all(f["properties"]["code"].startswith(comm.code) for f in body["features"])
    x0, y0, x1, y1 = comm.geom.extent
    inside = client.get("/api/v1/communities/", {"in_bbox": f"{x0},{y0},{x1},{y1}"}).json()
    codes = {f["properties"]["code"] for f in inside["features"]}
    assert comm.code in codes and len(codes) < Community.objects.count()


def test_it_answers_nearest_like_the_command(demo_db: None, client: Client) -> None:
    p = Community.objects.order_by("code")[9].geom.point_on_surface
    resp = client.get("/api/v1/centers/nearest", {"lon": p.x, "lat": p.y, "k": 2})
    assert resp.status_code == 200
    cli = run_json("nearest", str(p.x), str(p.y), "--k", "2")
    assert resp.json()["centers"] == cli["centers"]
    assert resp.json()["centers"][0]["route"]["type"] == "LineString"


def test_it_names_the_bad_parameter(demo_db: None, staff_client: Client) -> None:
    cases = [
        ("/api/v1/centers/nearest", {"lon": "east", "lat": 30}, "lon"),
        ("/api/v1/centers/nearest", {"lon": 104, "lat": 30, "k": 99}, "k"),
        ("/api/v1/centers/nearest", {"lon": 104, "lat": 30, "by": "car"}, "by"),
        ("/api/v1/coverage", {"reach": "-5"}, "reach"),
        ("/api/v1/pairing", {"scope": "12"}, "scope"),
        ("/api/v1/facility-ratio", {"profile": "nope"}, "profile"),
        ("/api/v1/grids/", {"code": "abc"}, "code"),
    ]
    for url, params, field in cases:
        resp = staff_client.get(url, params)
        assert resp.status_code == 400, (url, params)
        err = resp.json()["error"]
        assert err["field"] == field and err["code"] == "invalid_parameter"
        assert err["message"]


def test_it_serves_the_analysis_endpoints(demo_db: None, staff_client: Client) -> None:
    cov = staff_client.get("/api/v1/coverage", {"scope": "510199001", "reach": "500"}).json()
    assert cov["levels"]["community"] and cov["reaches_m"] == [500.0]
    pairing = staff_client.get("/api/v1/pairing", {"metric": "straight"}).json()
    assert pairing["summary"]["status"] == "optimal"
    members = staff_client.get("/api/v1/members").json()
    assert sum(c["over_cap"] for c in members["communities"]) >= 3
    # Counts only: no member's name, phone or ID number leaves through this endpoint.
    assert set(members["communities"][0]) == {"code", "name", "members", "over_cap",
                                              "overflow", "suggestions"}
    ratio = staff_client.get("/api/v1/facility-ratio", {"profile": "city-plan-20"}).json()
    assert ratio["profile"] == "city-plan-20"
    checks = staff_client.get("/api/v1/grid-checks", {"scope": "510199"}).json()
    assert checks["ok"] is True
    infeasible = staff_client.get("/api/v1/pairing", {"metric": "straight",
                                                      "min_per_community": "5",
                                                      "max_distance": "100"},
                                HTTP_ACCEPT_LANGUAGE="en")
    assert infeasible.status_code == 422
    assert "needs 5 more units" in infeasible.json()["error"]["message"]


def test_it_documents_itself_with_local_assets(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
