"""Moving a community's boundary point: the neighbour community and both sides' grids follow."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shapely
from django.contrib.auth.models import Permission, User
from django.test import Client

from geo.analysis.grid_checks import tiling_report
from geo.analysis.grid_edit import areas_m2
from geo.analysis.shared_points import holds
from geo.models import Account, Community, GridChangeset, GridUnit
from geo.services.grid_edit import to_shapely

pytestmark = pytest.mark.django_db


def planner(client: Client, scope: str = "") -> Client:
    user = User.objects.create_user(f"planner{scope}", password="x-unused-1")
    user.user_permissions.add(Permission.objects.get(codename="change_gridunit"))
    Account.objects.create(user=user, role="viewer", scope=scope)
    client.force_login(user)
    return client


def post(client: Client, code: str, body: Any) -> Any:
    return client.post(f"/api/v1/plan/communities/{code}/boundary", json.dumps(body),
                       content_type="application/json")


def shared_point(on_street_boundary: bool = False
                 ) -> tuple[Community, Community | None, tuple[float, float]]:
    """A vertex of a community's boundary shared with one neighbour of the same street
    (inside the street), or one on the street's own boundary."""
    for a in Community.objects.select_related("street").order_by("code"):
        street = to_shapely(a.street.geom)
        for poly in to_shapely(a.geom).geoms:
            for x, y in poly.exterior.coords:
                p = (x, y)
                if holds(street, p) != on_street_boundary:
                    continue
                if on_street_boundary:
                    return a, None, p
                others = [c for c in Community.objects.filter(street=a.street).exclude(pk=a.pk)
                          if holds(to_shapely(c.geom), p)]
                if len(others) == 1:
                    return a, others[0], p
    raise AssertionError("the demo has no such point")


def state(client: Client, code: str) -> dict[str, Any]:
    return client.get(f"/api/v1/plan/communities/{code}/").json()


def test_it_moves_the_point_on_both_communities_and_their_grids(demo_db: None,
                                                                client: Client) -> None:
    planner(client)
    me, other, p = shared_point()
    assert other is not None
    st = state(client, me.code)
    union_before = to_shapely(me.geom).union(to_shapely(other.geom))
    to = (p[0] + 4e-5, p[1] + 3e-5)  # about 5 m
    res = post(client, me.code, {"start": list(p), "end": list(to),
                                 "version": st["community"]["version"], "base": st["base"]})
    assert res.status_code == 200, res.content
    body = res.json()
    assert sorted(body["communities"]) == sorted([me.code, other.code])
    assert body["community"]["version"] == st["community"]["version"] + 1
    for c in (me, other):
        c.refresh_from_db()
        shape = to_shapely(c.geom)
        assert holds(shape, to) and not holds(shape, p)
        grids = [to_shapely(g.geom) for g in GridUnit.objects.filter(community=c)]
        report = tiling_report(shape, grids)
        assert report.gap_m2 <= 1.0 and report.overlap_m2 <= 1.0 and report.overhang_m2 <= 1.0
        assert GridChangeset.objects.get(community=c).operation == "reshape"
    # The two communities still cover what they covered together, without overlapping.
    union_after = to_shapely(me.geom).union(to_shapely(other.geom))
    for change in (union_after.symmetric_difference(union_before),
                   to_shapely(me.geom).intersection(to_shapely(other.geom))):
        assert change.is_empty or areas_m2([change])[0] < 1.0
    # Loaded before the move: stale now, refused with a 409 and nothing changed.
    again = post(client, me.code, {"start": list(to), "end": list(p),
                                   "version": st["community"]["version"], "base": st["base"]})
    assert again.status_code == 409
    assert GridChangeset.objects.count() == 2


def test_it_refuses_the_street_boundary_points_elsewhere_and_other_scopes(
        demo_db: None, client: Client) -> None:
    planner(client)
    edge, _, p = shared_point(on_street_boundary=True)
    st = state(client, edge.code)
    move = {"end": [p[0] + 4e-5, p[1]], "version": st["community"]["version"],
            "base": st["base"]}
    res = post(client, edge.code, {"start": list(p), **move})
    assert res.status_code == 400 and res.json()["error"]["code"] == "street_boundary"
    inside = to_shapely(edge.geom).representative_point()
    res = post(client, edge.code, {"start": [inside.x, inside.y], **move})
    assert res.status_code == 400 and res.json()["error"]["code"] == "not_on_boundary"
    res = post(client, edge.code, {"start": [float("nan"), 0], **move})
    assert res.status_code == 400
    # An inner point dragged far out of the street (over empty land, past every community).
    me, other, q = shared_point()
    st = state(client, me.code)
    *_, e, n = to_shapely(me.street.geom).bounds
    far = post(client, me.code, {"start": list(q), "end": [e + 0.05, n + 0.05],
                                 "version": st["community"]["version"], "base": st["base"]})
    assert far.status_code == 400
    assert far.json()["error"]["code"] in ("outside_street", "overlap", "self_intersection")
    # A planner of one community may not move its neighbour.
    me, other, q = shared_point()
    assert other is not None
    planner(Client(), scope=me.code)
    scoped = Client()
    scoped.force_login(User.objects.get(username=f"planner{me.code}"))
    st = state(scoped, me.code)
    res = post(scoped, me.code, {"start": list(q), "end": [q[0] + 4e-5, q[1]],
                                 "version": st["community"]["version"], "base": st["base"]})
    assert res.status_code == 403
    assert not GridChangeset.objects.exists()
    assert shapely.equals_exact(to_shapely(Community.objects.get(pk=me.pk).geom),
                                to_shapely(me.geom), 1e-12)
