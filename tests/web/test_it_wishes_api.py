"""/api/v1/wishes: the public board near a place (masked, placed roughly), staff posting,
suggested claimants, claiming (a member's claim is their 五个一 wish), fulfilment, 409s."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from geo.analysis.personal import mask_name
from geo.models import Community, MemberActivity, ReportingMember, Wish
from geo.roles import Role
from tests.web.helpers import post_json, role_client

pytestmark = pytest.mark.django_db


def _community() -> Community:
    c = Community.objects.filter(code__startswith="510199").order_by("code").first()
    assert c is not None
    return c


def _new(client: Client, c: Community, **extra: Any) -> Any:
    at = c.geom.point_on_surface
    return post_json(client, "/api/v1/wishes", {"community": c.code, "category": "health",
                                            "text": "想请医生上门量血压", "person": "张秀英",
                                            "lon": at.x, "lat": at.y, **extra})


def test_it_shows_the_public_open_wishes_near_a_place_masked(demo_db: None) -> None:
    c = _community()
    staff = role_client("w-staff", Role.STAFF, c.code)
    made = _new(staff, c)
    assert made.status_code == 201 and made.json()["person"] == "张秀英"  # staff may see it
    at = c.geom.point_on_surface
    board = Client().get("/api/v1/wishes/nearby", {"lon": at.x, "lat": at.y,
                                                   "radius": 500}).json()["wishes"]
    mine = next(w for w in board if w["id"] == made.json()["id"])
    assert mine["person"] == mask_name("张秀英") == "张**"
    assert mine["lon"] == round(at.x, 3) and mine["lat"] == round(at.y, 3)
    assert mine["distance_m"] == 0 and mine["category_label"] == "医疗健康"
    assert all(w["distance_m"] <= 550 for w in board)
    assert [w["distance_m"] for w in board] == sorted(w["distance_m"] for w in board)
    bad = Client().get("/api/v1/wishes/nearby", {"lon": 500, "lat": 30})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "lon"


def test_it_refuses_a_wish_outside_its_community_or_the_scope(demo_db: None) -> None:
    c = _community()
    other = Community.objects.filter(code__startswith="510199").exclude(
        code__startswith=c.code[:9]).first()
    assert other is not None
    staff = role_client("w-staff2", Role.STAFF, c.code)
    far = other.geom.point_on_surface
    resp = _new(staff, c, lon=far.x, lat=far.y)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "outside_community"
    assert _new(staff, other).status_code == 403
    viewer = role_client("w-viewer", Role.VIEWER, "510199")
    assert _new(viewer, c).status_code == 403
    assert not Wish.objects.filter(person="张秀英").exists()


def test_it_suggests_claimants_and_a_members_claim_counts_for_the_year(demo_db: None) -> None:
    c = _community()
    staff = role_client("w-staff3", Role.STAFF, c.code)
    wish = _new(staff, c).json()
    suggested = staff.get(f"/api/v1/wishes/{wish['id']}/suggest", {"k": 5}).json()
    cands = suggested["candidates"]
    assert cands and suggested["metric"] == "walk"
    assert all(x["walk_m"] <= 3000 for x in cands)
    member = next(x for x in cands if x["kind"] == "member")
    url = f"/api/v1/wishes/{wish['id']}"
    stale = post_json(staff, url + "/claim", {"member": member["id"], "version": 9})
    assert stale.status_code == 409
    claimed = post_json(staff, url + "/claim", {"member": member["id"], "version": 1})
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    today = timezone.localdate()
    assert MemberActivity.objects.filter(member_id=member["id"], kind="wish", on=today).exists()
    again = post_json(staff, url + "/claim", {"member": member["id"], "version": 2})
    assert again.status_code == 400 and again.json()["error"]["code"] == "bad_move"
    done = post_json(staff, url + "/fulfil", {"note": "已上门", "version": 2})
    assert done.status_code == 200 and done.json()["fulfilled_on"] == today.isoformat()
    assert post_json(staff, url + "/cancel", {"note": "x", "version": 3}).json()["error"][
        "code"] == "bad_move"
    assert Wish.objects.get(pk=wish["id"]).history.count() == 3
    # A viewer reads the names masked and may not act.
    viewer = role_client("w-viewer2", Role.VIEWER, "510199")
    listed = viewer.get("/api/v1/wishes").json()["wishes"]
    assert next(w for w in listed if w["id"] == wish["id"])["person"] == "张**"
    assert post_json(viewer, url + "/cancel", {"version": 3}).status_code == 403
    names = set(ReportingMember.objects.values_list("name", flat=True))
    masked = viewer.get(f"/api/v1/wishes/{wish['id']}/suggest").json()["candidates"]
    assert not any(x["name"] in names for x in masked if x["kind"] == "member")


def test_it_serves_the_board_to_anyone_and_the_staff_part_to_staff(demo_db: None) -> None:
    public = Client().get("/wishes/").content.decode()
    assert "微心愿" in public and 'id="table-wishes"' not in public
    c = _community()
    page = role_client("w-staff4", Role.STAFF, c.code).get("/wishes/").content.decode()
    assert 'id="wish-form"' in page and 'id="table-wishes"' in page
