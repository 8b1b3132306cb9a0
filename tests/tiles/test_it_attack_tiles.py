"""Staff tiles hold only the user's scope at every zoom (issue 15, hole 5), replayed.

Community staff asked for /tiles/units/12/... and got every co-building unit of the district
(the API gave them 4); pairing tiles at z11–12 likewise. A staff tile now holds exactly
what the API lists for that user, and a scoped tile is never served to another user.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef
from django.test import Client

from geo.models import Account, CoBuildingUnit, Community, Pairing
from geo.roles import Role
from tests.tiles.test_it_tiles import features, get, interior, tile_of

pytestmark = pytest.mark.django_db


def _staff_of(code: str) -> Client:
    user = User.objects.create_user(f"staff-{code}", password="pw-tiles-1")
    Account.assign(user, Role.STAFF, code)
    client = Client()
    client.force_login(user)
    return client


def _api_ids(client: Client, layer: str) -> set[int]:
    resp = client.get(f"/api/v1/{layer}/", {"page_size": 500})
    assert resp.status_code == 200
    return {f["id"] for f in resp.json()["features"]}


def test_it_serves_staff_only_their_own_units_at_every_zoom(demo_db: None,
                                                            staff_client: Client) -> None:
    # The community with the most units, so that the tile has neighbours' units to leak.
    has_unit = Exists(CoBuildingUnit.objects.filter(location__intersects=OuterRef("geom")))
    comm = Community.objects.filter(has_unit).order_by("code").first()
    assert comm is not None
    staff = _staff_of(comm.code)
    mine = _api_ids(staff, "units")
    assert mine
    lon, lat = interior(Community, comm.pk)
    leaked_before = 0
    for z in (12, 13, 14):
        zxy = tile_of(lon, lat, z)
        everyone = {f["id"] for f in features(get(staff_client, "units", zxy), "units")}
        resp = get(staff, "units", zxy)
        got = {f["id"] for f in features(resp, "units")} if resp.status_code == 200 else set()
        assert got <= mine, (z, sorted(got - mine))
        assert got == mine & everyone  # nothing of theirs is missing either
        assert resp["Cache-Control"].startswith("private")
        leaked_before = max(leaked_before, len(everyone - mine))
    assert leaked_before > 0  # the city-wide tile does hold other communities' units


def test_it_serves_staff_only_their_own_pairing_lines(demo_db: None,
                                                       staff_client: Client) -> None:
    counts = (Pairing.objects.values("community__code").annotate(n=Count("id"))
              .order_by("-n", "community__code"))
    code = counts[0]["community__code"]
    staff = _staff_of(code)
    comm = Community.objects.get(code=code)
    lon, lat = interior(Community, comm.pk)
    for z in (11, 12):
        zxy = tile_of(lon, lat, z)
        everyone = features(get(staff_client, "pairings", zxy), "pairings")
        resp = get(staff, "pairings", zxy)
        got = features(resp, "pairings") if resp.status_code == 200 else []
        assert got, z
        assert {f["community_code"] for f in got} == {code}
        assert len(got) == sum(1 for f in everyone if f["community_code"] == code)
    # The city-wide administrator still gets the whole (cached) tile afterwards.
    again = get(staff_client, "pairings", tile_of(lon, lat, 11))
    assert len(features(again, "pairings")) >= len(got)
