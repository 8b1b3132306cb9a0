"""/api/v1/lists: needs, resources, the optimal matching saved as proposals after review,
projects agreed or rejected without overdrawing, 409s, and the roles that are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from geo.models import CoBuildingUnit, Community, Need, Project, Resource
from geo.roles import Role
from geo.services.access import unit_code
from tests.web.helpers import post_json, role_client

pytestmark = pytest.mark.django_db


def _street_with_units() -> tuple[Community, list[CoBuildingUnit]]:
    """A demo community and the units standing in its street."""
    for c in Community.objects.filter(code__startswith="510199").order_by("code"):
        units = [u for u in CoBuildingUnit.objects.filter(candidate=False).order_by("pk")
                 if unit_code(u).startswith(c.code[:9])]
        if len(units) >= 2:
            return c, units
    raise AssertionError("the demo has a street with two units")


def _resource(planner: Client, unit: CoBuildingUnit, capacity: int, kind: str = "legal",
              **extra: Any) -> Any:
    year = timezone.localdate().year
    return post_json(planner, "/api/v1/lists/resources", {
        "unit": unit.pk, "kind": kind, "title": "律师法律服务", "capacity": capacity,
        "available_from": f"{year}-01-01", "available_until": f"{year}-12-31", **extra})


def test_it_matches_needs_to_resources_and_reviews_the_projects(demo_db: None) -> None:
    c, units = _street_with_units()
    year = timezone.localdate().year
    staff = role_client("l-staff", Role.STAFF, c.code)
    planner = role_client("l-planner", Role.PLANNER, c.code[:9])
    need = post_json(staff, "/api/v1/lists/needs", {"community": c.code, "year": year,
                                                "kind": "legal", "title": "物业纠纷法律咨询",
                                                "quantity": 3})
    assert need.status_code == 201, need.json()
    assert need.json()["kind_label"] == "法律服务"
    assert c.geom.buffer(0.0005).covers(Need.objects.get(pk=need.json()["id"]).location)
    assert _resource(staff, units[0], 2).status_code == 403  # staff keep needs, not resources
    near = _resource(planner, units[0], 2)
    assert near.status_code == 201, near.json()
    assert _resource(planner, units[1], 5).status_code == 201
    assert _resource(planner, units[1], 9, kind="venue").status_code == 201  # another kind

    scope = {"scope": c.code, "year": year}
    preview = post_json(planner, "/api/v1/lists/match", scope).json()
    mine = [p for p in preview["proposals"] if p["need_id"] == need.json()["id"]]
    assert sum(p["quantity"] for p in mine) == 3
    assert all(p["kind"] == "legal" and p["distance_m"] <= 5000 for p in mine)
    assert preview["metric"] == "walk" and preview["summary"]["met"] >= 3
    assert preview["summary"]["met"] >= preview["greedy"]["met"]
    assert Project.objects.filter(need_id=need.json()["id"]).count() == 0  # a preview

    viewer = role_client("l-viewer", Role.VIEWER, c.code[:9])
    assert post_json(viewer, "/api/v1/lists/match", {**scope, "commit": True,
                                                 "fingerprint": preview["fingerprint"]}
                 ).status_code == 403
    stale = post_json(planner, "/api/v1/lists/match", {**scope, "commit": True,
                                                   "fingerprint": "0" * 16})
    assert stale.status_code == 409
    saved = post_json(planner, "/api/v1/lists/match", {**scope, "commit": True,
                                                   "fingerprint": preview["fingerprint"]})
    assert saved.status_code == 200 and saved.json()["saved"] == len(preview["proposals"])
    projects = planner.get("/api/v1/lists/projects", scope).json()["projects"]
    mine_p = [p for p in projects if p["need_id"] == need.json()["id"]]
    assert sorted(p["quantity"] for p in mine_p) == sorted(p["quantity"] for p in mine)
    assert {p["status"] for p in mine_p} == {"proposed"}

    first = mine_p[0]
    url = f"/api/v1/lists/projects/{first['id']}/advance"
    assert post_json(viewer, url, {"to": "agreed", "version": first["version"]}).status_code == 403
    assert post_json(staff, url, {"to": "agreed", "version": first["version"]}).status_code == 403
    ok = post_json(planner, url, {"to": "agreed", "version": first["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "agreed"
    assert post_json(planner, url, {"to": "done", "version": first["version"]}).status_code == 409
    no_note = post_json(planner, url, {"to": "done", "version": ok.json()["version"]})
    assert no_note.status_code == 400 and no_note.json()["error"]["code"] == "note_required"

    # A second run keeps what is agreed and proposes only the rest of the need.
    again = post_json(planner, "/api/v1/lists/match", scope).json()
    rest = [p for p in again["proposals"] if p["need_id"] == need.json()["id"]]
    assert sum(p["quantity"] for p in rest) == 3 - first["quantity"]
    needs = staff.get("/api/v1/lists/needs", scope).json()["needs"]
    assert next(n for n in needs if n["id"] == need.json()["id"])["held"] == first["quantity"]


def test_it_refuses_to_overdraw_a_need_or_a_resource(demo_db: None) -> None:
    c, units = _street_with_units()
    year = timezone.localdate().year
    planner = role_client("l-planner2", Role.PLANNER, c.code[:9])
    n = Need.objects.create(community=c, year=year, kind="health", title="义诊", quantity=2,
                            location=c.geom.point_on_surface, posted_on=timezone.localdate())
    r = Resource.objects.create(unit=units[0], kind="health", title="医护", capacity=1,
                                available_from=timezone.localdate(),
                                available_until=timezone.localdate())
    a = Project.objects.create(need=n, resource=r, quantity=1)
    b = Project.objects.create(need=n, resource=r, quantity=1)
    assert post_json(planner, f"/api/v1/lists/projects/{a.pk}/advance",
                 {"to": "agreed", "version": 1}).status_code == 200
    over = post_json(planner, f"/api/v1/lists/projects/{b.pk}/advance",
                 {"to": "agreed", "version": 1})
    assert over.status_code == 400 and over.json()["error"]["code"] == "over_capacity"
    assert "可提供 1，已立项 1" in over.json()["error"]["message"]
    b.refresh_from_db()
    assert b.status == "proposed"


def test_it_validates_needs_and_resources_at_the_boundary(demo_db: None) -> None:
    c, units = _street_with_units()
    year = timezone.localdate().year
    staff = role_client("l-staff3", Role.STAFF, c.code)
    bad = post_json(staff, "/api/v1/lists/needs", {"community": c.code, "year": year,
                                               "kind": "legal", "title": "x", "quantity": 0})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "quantity"
    other = Community.objects.filter(code__startswith="510199").exclude(
        code__startswith=c.code[:9]).first()
    assert other is not None
    assert post_json(staff, "/api/v1/lists/needs", {"community": other.code, "year": year,
                                                "kind": "legal", "title": "x"}
                 ).status_code == 403
    far = other.geom.point_on_surface
    outside = post_json(staff, "/api/v1/lists/needs", {"community": c.code, "year": year,
                                                   "kind": "legal", "title": "x",
                                                   "lon": far.x, "lat": far.y})
    assert outside.status_code == 400
    assert outside.json()["error"]["code"] == "outside_community"
    half = post_json(staff, "/api/v1/lists/needs", {"community": c.code, "year": year,
                                                    "kind": "legal", "title": "x",
                                                    "lon": far.x})
    assert half.status_code == 400 and half.json()["error"]["field"] == "lat"
    planner = role_client("l-planner3", Role.PLANNER, c.code[:9])
    backwards = _resource(planner, units[0], 1, available_from=f"{year}-12-31",
                          available_until=f"{year}-01-01")
    assert backwards.status_code == 400
    assert backwards.json()["error"]["field"] == "available_until"
    elsewhere = next(u for u in CoBuildingUnit.objects.filter(candidate=False)
                     if not unit_code(u).startswith(c.code[:9]))
    assert _resource(planner, elsewhere, 1).status_code == 403
    assert not Need.objects.filter(title="x").exists()
