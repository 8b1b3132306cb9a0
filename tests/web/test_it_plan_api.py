"""Grid editor endpoints: permissions, split/merge/carve, live checks, atomic save, 409, revert."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shapely
import shapely.geometry
from django.contrib.auth.models import Permission, User
from django.test import Client

from geo.analysis.grid_edit import areas_m2
from geo.models import Account, Community, GridChangeset, GridUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client: Client) -> Client:
    user = User.objects.create_user("planner", password="x-unused-1")
    user.user_permissions.add(Permission.objects.get(codename="change_gridunit"))
    Account.objects.create(user=user, role="viewer", scope="")
    client.force_login(user)
    return client


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def community_state(client: Client) -> tuple[Community, dict[str, Any]]:
    community = Community.objects.order_by("code").first()
    assert community is not None
    return community, client.get(f"/api/v1/plan/communities/{community.code}/").json()


def split_first(client: Client, state: dict[str, Any]) -> list[dict[str, Any]]:
    grid = state["grids"]["features"][0]
    geom = shapely.geometry.shape(grid["geometry"])
    w, s, e, n = geom.bounds
    line = {"type": "LineString", "coordinates": [[w - 1e-4, (s + n) / 2], [e + 1e-4, (s + n) / 2]]}
    res = post(client, "/api/v1/plan/split", {"geometry": grid["geometry"], "line": line}).json()
    pieces = res["pieces"]
    drafts = [{"id": grid["id"], "geometry": pieces[0]}]
    drafts += [{"id": None, "geometry": p} for p in pieces[1:]]
    drafts += [{"id": f["id"], "geometry": f["geometry"]} for f in state["grids"]["features"][1:]]
    return drafts


def test_it_refuses_anonymous_and_unprivileged_users(demo_db: None, client: Client) -> None:
    code = Community.objects.first().code
    assert client.get(f"/api/v1/plan/communities/{code}/").status_code == 401
    assert client.get("/plan/").status_code == 302
    client.force_login(User.objects.create_user("viewer", password="x-unused-2"))
    resp = client.get(f"/api/v1/plan/communities/{code}/")
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    assert client.get("/plan/").status_code == 403


def test_it_splits_and_saves_atomically_with_households_kept(demo_db: None,
                                                              planner: Client) -> None:
    community, state = community_state(planner)
    total = sum(f["properties"]["households"] for f in state["grids"]["features"])
    drafts = split_first(planner, state)
    check = post(planner, f"/api/v1/plan/communities/{community.code}/check",
                 {"grids": drafts}).json()
    assert sum(check["households"]) == total
    assert not [f for f in check["findings"] if f["blocking"]]
    resp = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts, "operation": "split"})
    assert resp.status_code == 200, resp.content
    grids = list(GridUnit.objects.filter(community=community).order_by("code"))
    assert len(grids) == len(state["grids"]["features"]) + 1
    assert sum(g.households for g in grids) == total
    assert [g.households for g in grids] == [
        f["properties"]["households"] for f in resp.json()["grids"]["features"]]
    changeset = GridChangeset.objects.get()
    assert changeset.operation == "split" and changeset.changes.count() == 2
    # Area is conserved: the two pieces make the old grid.
    old = shapely.geometry.shape(state["grids"]["features"][0]["geometry"])
    codes = {f["properties"]["code"] for f in state["grids"]["features"][1:]}
    pieces = [shapely.from_wkb(bytes(g.geom.wkb)) for g in grids if g.code not in codes]
    assert len(pieces) == 2
    # The new grid is named as its siblings are: 建设社区第11网格, from its code's sequence.
    new = next(g for g in grids if g.code not in codes and g.pk != drafts[0]["id"])
    assert new.name == f"{community.name}第{int(new.code[-3:])}网格"
    new_area = sum(areas_m2(pieces))
    assert new_area == pytest.approx(areas_m2([old])[0], rel=1e-6)


def test_it_refuses_a_stale_save_with_409_and_the_current_version(demo_db: None,
                                                                   planner: Client) -> None:
    community, state = community_state(planner)
    drafts = split_first(planner, state)
    assert post(planner, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts}).status_code == 200
    before = {g.code: (g.version, g.geom.wkt) for g in GridUnit.objects.filter(community=community)}
    stale = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                 {"base": state["base"], "grids": drafts})
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"]["code"] == "conflict"
    assert len(body["current"]["features"]) == len(before)
    after = {g.code: (g.version, g.geom.wkt) for g in GridUnit.objects.filter(community=community)}
    assert after == before and GridChangeset.objects.count() == 1


def test_it_refuses_grids_that_leave_a_gap(demo_db: None, planner: Client) -> None:
    community, state = community_state(planner)
    drafts = [{"id": f["id"], "geometry": f["geometry"]} for f in state["grids"]["features"][1:]]
    before = GridUnit.objects.filter(community=community).count()
    resp = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts})
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"]["code"] == "topology"
    assert {f["kind"] for f in body["findings"]} == {"gap"}
    assert GridUnit.objects.filter(community=community).count() == before


def test_it_merges_draws_and_reverts(demo_db: None, planner: Client) -> None:
    community, state = community_state(planner)
    feats = state["grids"]["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in feats]
    j = next(k for k in range(1, len(shapes)) if shapes[0].intersection(shapes[k]).length > 0)
    merged = post(planner, "/api/v1/plan/merge",
                  {"geometries": [feats[0]["geometry"], feats[j]["geometry"]]}).json()["geometry"]
    drafts = [{"id": feats[0]["id"], "geometry": merged}]
    drafts += [{"id": f["id"], "geometry": f["geometry"]} for k, f in enumerate(feats)
               if k not in (0, j)]
    saved = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                 {"base": state["base"], "grids": drafts, "operation": "merge"})
    assert saved.status_code == 200
    assert GridUnit.objects.filter(community=community).count() == len(feats) - 1
    changeset = saved.json()["changeset"]
    history = planner.get(f"/api/v1/plan/grids/{feats[j]['properties']['code']}/history").json()
    assert history["changes"][0]["after_households"] is None  # deleted by the merge
    assert history["changes"][0]["user"] == "planner"
    # Beijing time, which the page shows as it is (not UTC).
    at = history["changes"][0]["at"]
    assert at.endswith("+08:00"), at
    from datetime import UTC, datetime, timedelta

    utc_now = datetime.now(UTC)
    assert abs(datetime.fromisoformat(at) - utc_now) < timedelta(minutes=10)
    assert datetime.fromisoformat(at).utcoffset() == timedelta(hours=8)
    reverted = post(planner, f"/api/v1/plan/changes/{changeset}/revert", {})
    assert reverted.status_code == 200, reverted.content
    now = {g.code: g.geom for g in GridUnit.objects.filter(community=community)}
    assert set(now) == {f["properties"]["code"] for f in feats}
    for f in feats:
        assert shapely.from_wkb(bytes(now[f["properties"]["code"]].wkb)).equals_exact(
            shapely.geometry.shape(f["geometry"]), 1e-12)
    # Reverting twice is refused: the grids moved on since.
    again = post(planner, f"/api/v1/plan/changes/{changeset}/revert", {})
    assert again.status_code == 409
    # Drawing a new grid carves it out of the grids it covers.
    c = shapely.from_wkb(bytes(community.geom.wkb)).centroid
    box = shapely.geometry.box(c.x - 0.0005, c.y - 0.0005, c.x + 0.0005, c.y + 0.0005)
    state = planner.get(f"/api/v1/plan/communities/{community.code}/").json()
    carved = post(planner, f"/api/v1/plan/communities/{community.code}/carve",
                  {"geometry": shapely.geometry.mapping(box),
                   "others": [f["geometry"] for f in state["grids"]["features"]]}).json()
    drafts = [{"id": f["id"], "geometry": g} for f, g in
              zip(state["grids"]["features"], carved["others"], strict=True) if g]
    drafts.append({"id": None, "geometry": carved["geometry"]})
    resp = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts, "operation": "draw"})
    assert resp.status_code == 200, resp.content
    new = GridUnit.objects.filter(community=community).order_by("-code").first()
    assert new is not None and new.code.startswith(community.code)


def test_it_answers_bad_input_with_400_naming_the_field(demo_db: None, planner: Client) -> None:
    community, state = community_state(planner)
    url = f"/api/v1/plan/communities/{community.code}/save"
    cases: list[tuple[Any, str]] = [
        ({"base": state["base"], "grids": []}, "grids"),
        ({"base": "x", "grids": [{"id": None, "geometry": {}}]}, "base"),
        ({"base": state["base"], "grids": [{"id": None, "geometry": {"type": "Point",
                                                                     "coordinates": [1, 2]}}]},
         "grids[0].geometry"),
        ({"base": state["base"], "grids": [{"id": "7", "geometry": None}]}, "grids[0].id"),
        ({"base": state["base"], "grids": [{"id": None, "geometry": {
            "type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]}}]},
         "grids[0].geometry"),
    ]
    for body, field in cases:
        resp = post(planner, url, body)
        assert resp.status_code == 400, (body, resp.content)
        assert resp.json()["error"]["field"] == field
    resp = planner.post(url, b"not json", content_type="application/json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_json"
    line = {"type": "LineString", "coordinates": [[0, 0], [0.1, 0.1]]}
    grid = state["grids"]["features"][0]["geometry"]
    resp = post(planner, "/api/v1/plan/split", {"geometry": grid, "line": line})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "line_misses_grid"
    assert planner.get("/api/v1/plan/communities/999999999999/").status_code == 404
