"""Roles and scopes: each role reads and writes inside its scope, and is refused outside it,
through the API, the pages, the tiles, the admin and the writing commands."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from geo.models import Account, Community, GridUnit, Pairing, ServiceCenter, Street
from geo.roles import Role
from tests.tiles.test_it_tiles import interior, tile_of

pytestmark = pytest.mark.django_db


def _streets() -> tuple[str, str]:
    codes = list(Street.objects.order_by("code").values_list("code", flat=True))
    return codes[0], codes[-1]


def _login(role: Role | None, scope: str = "", name: str | None = None) -> Client:
    client = Client()
    if role is None:
        return client
    user = User.objects.create_user(name or f"{role.value}-{scope or 'city'}", password="pw-1")
    Account.assign(user, role, scope)
    client.force_login(user)
    return client


def _first_community(street: str) -> Community:
    comm = Community.objects.filter(code__startswith=street).order_by("code").first()
    assert comm is not None
    return comm


def _working_copy(client: Client, code: str) -> dict[str, Any]:
    state = client.get(f"/api/v1/plan/communities/{code}/").json()
    grids = [{"id": f["id"], "name": f["properties"]["name"], "geometry": f["geometry"]}
             for f in state["grids"]["features"]]
    return {"grids": grids, "base": state["base"], "operation": "edit"}


def _tile_inside_only(code: str, other: str) -> tuple[int, int, int]:
    """A z16 tile over ``code``'s community that does not touch the area ``other``."""
    comm = _first_community(code) if len(code) == 9 else Community.objects.get(code=code)
    lon, lat = interior(Community, comm.pk)
    z, x, y = tile_of(lon, lat, 16)
    table = {6: "geo_district", 9: "geo_street", 12: "geo_community"}[len(other)]
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_Intersects(geom, ST_Transform(ST_TileEnvelope(%s, %s, %s), "
                    f"4326)) FROM {table} WHERE code = %s", [z, x, y, other])
        assert cur.fetchone()[0] is False
    return z, x, y


def test_it_scopes_api_reads(demo_db: None) -> None:
    s1, s4 = _streets()
    c1 = _first_community(s1).code
    expect = {  # role, scope → may read street s1's facility ratio?
        (Role.ADMIN, ""): 200, (Role.ADMIN, "510199"): 200, (Role.PLANNER, s1): 200,
        (Role.STAFF, c1): 403, (Role.VIEWER, s4): 403, (Role.STEWARD, "510199"): 200,
    }
    for (role, scope), status in expect.items():
        client = _login(role, scope)
        resp = client.get("/api/v1/facility-ratio", {"scope": s1})
        assert resp.status_code == status, (role, scope)
        if status == 403:
            assert "不在您的工作范围" in resp.json()["error"]["message"]
        # With no scope asked, a read is the user's own scope, never wider.
        mine = client.get("/api/v1/facility-ratio").json()["communities"]
        assert mine and all(c["code"].startswith(scope) for c in mine)
        assert len(mine) == Community.objects.filter(code__startswith=scope).count()
    anon = Client().get("/api/v1/facility-ratio", {"scope": s1})
    assert anon.status_code == 401 and anon.json()["error"]["code"] == "not_authenticated"
    # Public layers stay public; planning layers are for staff, filtered to their scope.
    assert Client().get("/api/v1/centers/", {"page_size": 1}).status_code == 200
    assert Client().get("/api/v1/pairings/").status_code == 401
    planner = _login(Role.PLANNER, s4, "planner-s4")
    codes = {f["properties"]["community"] for f in
             planner.get("/api/v1/pairings/", {"page_size": 500}).json()["features"]}
    allowed = set(Community.objects.filter(code__startswith=s4).values_list("pk", flat=True))
    assert codes <= allowed


def test_it_scopes_pages_and_grid_writes(demo_db: None) -> None:
    s1, s4 = _streets()
    mine, theirs = _first_community(s1), _first_community(s4)
    planner = _login(Role.PLANNER, s1)
    page = planner.get("/plan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.code in html and theirs.code not in html
    assert _login(Role.VIEWER, "").get("/plan/").status_code == 403
    assert Client().get("/plan/").status_code == 302  # to the login page
    assert planner.get(f"/api/v1/plan/communities/{theirs.code}/").status_code == 403
    # A save inside the street is accepted; the same save next door is refused and changes
    # nothing, whatever the body says.
    body = _working_copy(planner, mine.code)
    resp = planner.post(f"/api/v1/plan/communities/{mine.code}/save", json.dumps(body),
                        content_type="application/json")
    assert resp.status_code == 200, resp.content
    admin = _login(Role.ADMIN, "")
    theirs_body = _working_copy(admin, theirs.code)
    before = sorted(GridUnit.objects.filter(community=theirs).values_list("pk", "version"))
    resp = planner.post(f"/api/v1/plan/communities/{theirs.code}/save", json.dumps(theirs_body),
                        content_type="application/json")
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    assert sorted(GridUnit.objects.filter(community=theirs).values_list("pk", "version")) \
        == before
    viewer = _login(Role.VIEWER, s4)
    resp = viewer.post(f"/api/v1/plan/communities/{theirs.code}/save", json.dumps(theirs_body),
                       content_type="application/json")
    assert resp.status_code == 403
    # Reports: staff see their own streets offered; a wider report is refused.
    staff = _login(Role.STAFF, mine.code)
    assert staff.get("/reports/").status_code == 200
    resp = staff.get("/reports/export", {"scope": s1, "format": "json"})
    assert resp.status_code == 403
    resp = staff.get("/reports/export", {"format": "json"})
    assert resp.status_code == 200
    assert [c["code"] for c in json.loads(resp.content)["communities"]] == [mine.code]


def test_it_scopes_staff_tiles(demo_db: None) -> None:
    s1, s4 = _streets()
    pairing = Pairing.objects.select_related("community").filter(
        community__code__startswith=s1).first()
    assert pairing is not None
    inside = tile_of(*interior(Community, pairing.community.pk), 16)
    outside = _tile_inside_only(s4, s1)
    url = "/tiles/pairings/{}/{}/{}.pbf"
    planner = _login(Role.PLANNER, s1)
    assert planner.get(url.format(*inside)).status_code in (200, 204)
    refused = planner.get(url.format(*outside))
    assert refused.status_code == 403 and s1 in refused.json()["error"]["message"]
    assert Client().get(url.format(*inside)).status_code == 401
    assert _login(Role.ADMIN, "").get(url.format(*outside)).status_code in (200, 204)
    # Public layers stay open to residents.
    assert Client().get("/tiles/communities/{}/{}/{}.pbf".format(*outside)).status_code == 200


def test_it_scopes_the_admin(demo_db: None) -> None:
    s1, s4 = _streets()
    mine = GridUnit.objects.filter(code__startswith=s1).order_by("code").first()
    theirs = GridUnit.objects.filter(code__startswith=s4).order_by("code").first()
    assert mine is not None and theirs is not None
    planner = _login(Role.PLANNER, s1)
    listing = planner.get("/admin/geo/gridunit/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == GridUnit.objects.filter(
        code__startswith=s1).count()
    assert planner.get(f"/admin/geo/gridunit/{mine.pk}/change/").status_code == 200
    assert planner.get(f"/admin/geo/gridunit/{theirs.pk}/change/").status_code == 403
    resp = planner.post(f"/admin/geo/gridunit/{theirs.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 403 and GridUnit.objects.filter(pk=theirs.pk).exists()
    # Community staff may edit their own center, not a neighbour's; viewers edit nothing.
    center = ServiceCenter.objects.filter(community__isnull=False).order_by("pk").first()
    assert center is not None and center.community is not None
    staff = _login(Role.STAFF, center.community.code)
    assert staff.get(f"/admin/geo/servicecenter/{center.pk}/change/").status_code == 200
    other = ServiceCenter.objects.exclude(community=center.community).exclude(
        community__isnull=True).first()
    assert other is not None
    assert staff.get(f"/admin/geo/servicecenter/{other.pk}/change/").status_code == 403
    viewer = _login(Role.VIEWER, "")
    resp = viewer.post(f"/admin/geo/servicecenter/{center.pk}/change/", {"name": "x"})
    assert resp.status_code == 403


def test_it_checks_the_user_a_command_acts_as(demo_db: None) -> None:
    s1, s4 = _streets()
    User.objects.create_user("viewer-cmd")
    Account.assign(User.objects.get(username="viewer-cmd"), Role.VIEWER, "")
    planner = User.objects.create_user("planner-cmd")
    Account.assign(planner, Role.PLANNER, s1)
    args = ["pair_units", "--metric", "straight", "--save", "--format", "json"]
    with pytest.raises(CommandError, match="add_pairing"):
        call_command(*args, "--scope", s1, "--as", "viewer-cmd")
    with pytest.raises(CommandError, match="不在其工作范围"):
        call_command(*args, "--scope", s4, "--as", "planner-cmd")
    with pytest.raises(CommandError, match="没有此用户或已停用"):
        call_command(*args, "--scope", s1, "--as", "nobody")
    call_command(*args, "--scope", s1, "--as", "planner-cmd", stdout=io.StringIO())
    saved = Pairing.history.filter(history_user=planner)
    assert saved.exists()
    assert all(r.community.code.startswith(s1) for r in saved)


def test_it_refuses_an_account_scope_that_does_not_fit_its_role(demo_db: None) -> None:
    from django.core.exceptions import ValidationError

    user = User.objects.create_user("misfit")
    s1, _ = _streets()
    with pytest.raises(ValidationError, match="scope"):
        Account.assign(user, Role.STAFF, s1)  # community staff need a community code
    with pytest.raises(ValidationError, match="没有代码为"):
        Account.assign(user, Role.PLANNER, "510199999")
    assert not Account.objects.filter(user=user).exists()


def test_it_assigns_roles_from_the_command_line(demo_db: None, monkeypatch: Any) -> None:
    s1, _ = _streets()
    out = io.StringIO()
    with pytest.raises(CommandError, match="--create"):
        call_command("account", "lee", "--role", "planner", "--scope", s1)
    monkeypatch.setenv("WANGGE_NEW_PASSWORD", "123")
    with pytest.raises(CommandError, match="密码不合格"):
        call_command("account", "lee", "--role", "planner", "--scope", s1, "--create")
    monkeypatch.setenv("WANGGE_NEW_PASSWORD", "lee-grids-2026!")
    call_command("account", "lee", "--role", "planner", "--scope", s1, "--create", stdout=out)
    account = Account.objects.get(user__username="lee")
    assert (account.role, account.scope) == ("planner", s1) and account.user.is_staff
    assert account.user.check_password("lee-grids-2026!")
    with pytest.raises(CommandError, match="范围应为社区，不能是 9 位代码"):
        call_command("account", "lee", "--role", "staff", "--scope", s1)
    assert Account.objects.get(user__username="lee").role == "planner"
