"""Audit history and concurrency: who changed what (before/after geometry), revert recorded
as a change, 409 on stale saves and reverts, and a split that fails half-way changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point
from django.db import connection
from django.test import Client

from geo.models import (
    Account,
    Community,
    GridChangeset,
    GridUnit,
    Pairing,
    ServiceCenter,
    Street,
)
from geo.models.audit import acting_as
from geo.roles import Role
from tests.web.test_it_plan_api import community_state, post, split_first

pytestmark = pytest.mark.django_db


def _user(name: str, role: Role, scope: str = "") -> tuple[User, Client]:
    user = User.objects.create_user(name, password="pw-1")
    Account.assign(user, role, scope)
    client = Client()
    client.force_login(user)
    return user, client


def test_it_records_who_changed_what_with_geometry(demo_db: None) -> None:
    admin, client = _user("ann", Role.ADMIN)
    center = ServiceCenter.objects.filter(community__isnull=False).order_by("pk").first()
    assert center is not None
    old_point, old_name = center.location.clone(), center.name
    with acting_as(admin):
        center.name = old_name + "（新址）"
        center.location = Point(center.location.x + 0.001, center.location.y, srid=4326)
        center.save_if_current(center.version)
    doc = client.get(f"/api/v1/history/centers/{center.pk}").json()
    latest = doc["records"][0]
    assert latest["user"] == "ann" and latest["kind"] == "changed"
    assert set(latest["changed"]) >= {"name", "location"}
    assert latest["before"]["name"] == old_name
    assert latest["before"]["location"]["coordinates"] == pytest.approx(
        [old_point.x, old_point.y])
    assert latest["after"]["location"]["coordinates"][0] == pytest.approx(old_point.x + 0.001)
    assert doc["version"] == center.version


def test_it_reverts_and_records_the_revert(demo_db: None) -> None:
    admin, client = _user("ann", Role.ADMIN)
    street = Street.objects.order_by("code").first()
    assert street is not None
    first = street.history.latest("history_id")
    old_geom = street.geom.clone()
    with acting_as(admin):
        street.name = "改名街道"
        street.geom = MultiPolygon(street.geom.buffer(0.0005), srid=4326)
        street.save_if_current(street.version)
    seen = street.version
    resp = client.post(f"/api/v1/history/streets/{street.pk}/revert",
                       {"history_id": first.history_id, "version": seen},
                       content_type="application/json")
    assert resp.status_code == 200, resp.content
    street.refresh_from_db()
    assert street.name != "改名街道" and street.geom.equals_exact(old_geom, 1e-9)
    assert street.version == seen + 1
    top = resp.json()["records"][0]
    assert top["user"] == "ann" and "撤销至记录" in top["reason"]
    assert "geom" in top["changed"]
    # The revert is itself a change: reverting it again gives the edited name back.
    again = client.post(f"/api/v1/history/streets/{street.pk}/revert",
                        {"history_id": resp.json()["records"][1]["history_id"],
                         "version": street.version}, content_type="application/json")
    assert again.status_code == 200
    street.refresh_from_db()
    assert street.name == "改名街道"


def test_it_refuses_a_stale_revert_with_409_and_the_current_version(demo_db: None) -> None:
    admin, client = _user("ann", Role.ADMIN)
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    first = comm.history.latest("history_id")
    seen = comm.version
    with acting_as(admin):  # someone else saves after the user loaded the page
        comm.name = comm.name + "·"
        comm.save_if_current(seen)
    resp = client.post(f"/api/v1/history/communities/{comm.pk}/revert",
                       {"history_id": first.history_id, "version": seen},
                       content_type="application/json")
    assert resp.status_code == 409
    body = resp.json()
    assert body["error"]["code"] == "conflict" and body["current_version"] == seen + 1
    comm.refresh_from_db()
    assert comm.name.endswith("·") and comm.version == seen + 1


def test_it_scopes_history_and_sends_grids_to_their_changesets(demo_db: None) -> None:
    streets = list(Street.objects.order_by("code").values_list("code", flat=True))
    _, planner = _user("pat", Role.PLANNER, streets[0])
    theirs = Community.objects.filter(code__startswith=streets[-1]).first()
    assert theirs is not None
    assert planner.get(f"/api/v1/history/communities/{theirs.pk}").status_code == 403
    record = theirs.history.latest("history_id")
    resp = planner.post(f"/api/v1/history/communities/{theirs.pk}/revert",
                        {"history_id": record.history_id, "version": theirs.version},
                        content_type="application/json")
    assert resp.status_code == 403
    grid = GridUnit.objects.filter(code__startswith=streets[0]).first()
    assert grid is not None
    assert planner.get(f"/api/v1/history/grids/{grid.pk}").status_code == 200
    rec = grid.history.latest("history_id")
    resp = planner.post(f"/api/v1/history/grids/{grid.pk}/revert",
                        {"history_id": rec.history_id, "version": grid.version},
                        content_type="application/json")
    assert resp.status_code == 400 and "/plan/" in resp.json()["error"]["message"]


def test_it_refuses_a_stale_admin_save_with_409(demo_db: None) -> None:
    _, client = _user("ann", Role.ADMIN)
    pairing = Pairing.objects.order_by("pk").first()
    assert pairing is not None
    url = f"/admin/geo/pairing/{pairing.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value())
            for name in form.fields}
    seen = pairing.version
    pairing.distance_m = 1234.0
    pairing.save_if_current(seen)  # someone else's save
    data["distance_m"] = "999"
    resp = client.post(url, data)
    assert resp.status_code == 409
    pairing.refresh_from_db()
    assert pairing.distance_m == 1234.0 and pairing.version == seen + 1
    data["base_version"] = str(pairing.version)
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content[:500]
    pairing.refresh_from_db()
    assert pairing.distance_m == 999.0 and pairing.version == seen + 2


def test_it_leaves_everything_unchanged_when_a_split_fails_half_way(demo_db: None) -> None:
    _, planner = _user("pat", Role.PLANNER, "")
    community, state = community_state(planner)
    drafts = split_first(planner, state)
    before = sorted(GridUnit.objects.filter(community=community)
                    .values_list("pk", "code", "version", "households"))
    geoms = {g.pk: g.geom.wkb for g in GridUnit.objects.filter(community=community)}
    changesets = GridChangeset.objects.count()
    history = GridUnit.history.count()
    # The database refuses the split's new grid after the first grid was already rewritten.
    with connection.cursor() as cur:
        cur.execute("""
            CREATE FUNCTION test_refuse_new_grid() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'disk full (test)'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_new_grid BEFORE INSERT ON geo_gridunit
            FOR EACH ROW EXECUTE FUNCTION test_refuse_new_grid();""")
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="pat"))
    resp = post(client, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts, "operation": "split"})
    assert resp.status_code == 500
    after = sorted(GridUnit.objects.filter(community=community)
                   .values_list("pk", "code", "version", "households"))
    assert after == before
    assert {g.pk: g.geom.wkb for g in GridUnit.objects.filter(community=community)} == geoms
    assert GridChangeset.objects.count() == changesets
    assert GridUnit.history.count() == history
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER test_refuse_new_grid ON geo_gridunit; "
                    "DROP FUNCTION test_refuse_new_grid();")
    # The same save then succeeds, and the grids still tile the community.
    resp = post(planner, f"/api/v1/plan/communities/{community.code}/save",
                {"base": state["base"], "grids": drafts, "operation": "split"})
    assert resp.status_code == 200
    assert GridUnit.objects.filter(community=community).count() == len(before) + 1
