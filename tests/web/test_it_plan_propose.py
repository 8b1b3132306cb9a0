"""Proposed grids over HTTP: along the roads, saved as one changeset; renumbering and back."""

from __future__ import annotations

import io
from typing import Any

import pytest
import shapely
from django.test import Client
from shapely.geometry import shape

from geo.analysis.grid_checks import reading_order, tiling_report
from geo.models import Community, GridChangeset, GridUnit
from geo.services.grid_edit import to_shapely
from tests.web.test_it_plan_api import planner, post  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def proposal(client: Client, community: Community, **body: Any) -> Any:
    resp = post(client, f"/api/v1/plan/communities/{community.code}/propose", body)
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_it_proposes_grids_that_tile_the_community(demo_db: None,
                                                   planner: Client) -> None:  # noqa: F811
    community = Community.objects.order_by("code")[2]
    body = proposal(planner, community)
    assert body["range"] == [150, 500] and body["status"] in {"optimal", "feasible"}
    grids = [shape(g["geometry"]) for g in body["grids"]]
    report = tiling_report(to_shapely(community.geom), grids)
    assert report.gap_m2 <= 1 and report.overlap_m2 <= 1 and report.overhang_m2 <= 1
    # Reading order: the proposal comes numbered west→east, north→south.
    assert reading_order(grids) == list(range(len(grids)))
    if body["outside"] == 0:
        assert all(150 <= g["households"] <= 500 for g in body["grids"])
    else:
        assert body["reasons"]
    # A tighter range the data cannot meet says why, in words and numbers.
    tight = proposal(planner, community, min=1000, max=1001)
    assert tight["outside"] > 0 and tight["reasons"]
    bad = post(planner, f"/api/v1/plan/communities/{community.code}/propose",
               {"min": 500, "max": 100})
    assert bad.status_code == 400 and "max" in bad.content.decode()


def test_it_refuses_a_proposal_to_someone_who_may_not_edit(demo_db: None,
                                                           client: Client) -> None:
    from django.contrib.auth.models import User

    from geo.models import Account

    user = User.objects.create_user("reader", password="x-unused-2")
    Account.objects.create(user=user, role="viewer", scope="")
    client.force_login(user)
    community = Community.objects.order_by("code").first()
    assert community is not None
    resp = post(client, f"/api/v1/plan/communities/{community.code}/propose", {})
    assert resp.status_code == 403


def test_it_saves_a_proposal_then_renumbers_and_reverts(demo_db: None,
                                                        planner: Client) -> None:  # noqa: F811
    community = Community.objects.order_by("code")[4]
    url = f"/api/v1/plan/communities/{community.code}/"
    state = planner.get(url).json()
    body = proposal(planner, community)
    assert {g["zone_type"] for g in body["grids"]} <= {"residential", "production"}
    drafts = [{"id": None, "name": "", "geometry": g["geometry"], "zone_type": g["zone_type"]}
              for g in body["grids"]]
    drafts[0]["zone_type"] = "production"  # the planner's call, kept on save
    saved = post(planner, url + "save", {"base": state["base"], "grids": drafts,
                                         "operation": "propose"})
    assert saved.status_code == 200, saved.content
    assert GridChangeset.objects.get(pk=saved.json()["changeset"]).operation == "propose"
    grids = list(GridUnit.objects.filter(community=community))
    assert len(grids) == len(drafts)
    kinds = sorted(g.zone_type for g in grids)
    assert kinds == sorted(d["zone_type"] for d in drafts)
    # New grids took codes after the old ones: renumber them in reading order.
    base = saved.json()["base"]
    stale = {k: v - 1 for k, v in base.items()}
    assert post(planner, url + "renumber", {"base": stale}).status_code == 409
    resp = post(planner, url + "renumber", {"base": base})
    assert resp.status_code == 200, resp.content
    changeset = GridChangeset.objects.get(pk=resp.json()["changeset"])
    assert changeset.operation == "renumber"
    now = list(GridUnit.objects.filter(community=community).order_by("code"))
    order = reading_order([to_shapely(g.geom) for g in now])
    assert order == list(range(len(now)))
    assert [g.code[-3:] for g in now] == [f"{i + 1:03d}" for i in range(len(now))]
    assert all(g.name == f"{community.name}第{int(g.code[-3:])}网格" for g in now)
    olds = dict(changeset.changes.values_list("code", "before_code"))
    assert olds and all(old != new for new, old in olds.items())
    # Same shapes, same rows: only the codes moved. Renumbering again changes nothing.
    assert {g.pk for g in now} == {g.pk for g in grids}
    again = post(planner, url + "renumber", {"base": resp.json()["base"]})
    assert again.status_code == 200 and again.json()["changeset"] is None
    # Reverting the renumbering puts the old codes back.
    back = post(planner, f"/api/v1/plan/changes/{changeset.pk}/revert", {})
    assert back.status_code == 200, back.content
    restored = {g.pk: g.code for g in GridUnit.objects.filter(community=community)}
    assert restored == {g.pk: g.code for g in grids}
    assert shapely.union_all([to_shapely(g.geom) for g in now]).area > 0


def test_it_keeps_proposals_as_drafts_for_the_editor(demo_db: None,
                                                     planner: Client) -> None:  # noqa: F811
    from django.contrib.auth.models import Permission, User
    from django.core.management import call_command

    from geo.models import Account, ProposalDraft

    community = Community.objects.order_by("code")[1]
    before = list(GridUnit.objects.order_by("code").values_list("code", "version"))
    call_command("propose_grids", "--scope", community.code, "--save-as-draft",
                 stdout=io.StringIO())
    draft = ProposalDraft.objects.get(community=community)
    assert list(GridUnit.objects.order_by("code").values_list("code", "version")) == before
    state = planner.get(f"/api/v1/plan/communities/{community.code}/").json()
    assert [d["id"] for d in state["drafts"]] == [draft.pk]
    assert state["drafts"][0]["grids"] == len(draft.grids)
    body = planner.get(f"/api/v1/plan/drafts/{draft.pk}").json()
    assert body["community"] == community.code and len(body["grids"]) == len(draft.grids)
    grids = [shape(g["geometry"]) for g in body["grids"]]
    report = tiling_report(to_shapely(community.geom), grids)
    assert report.gap_m2 <= 1 and report.overlap_m2 <= 1
    # A planner of another community may not read it.
    other = Community.objects.exclude(street=community.street).order_by("code").first()
    assert other is not None
    user = User.objects.create_user("far-planner", password="x-unused-3")
    user.user_permissions.add(Permission.objects.get(codename="change_gridunit"))
    Account.objects.create(user=user, role="viewer", scope=other.code)
    far = Client()
    far.force_login(user)
    assert far.get(f"/api/v1/plan/drafts/{draft.pk}").status_code == 403
