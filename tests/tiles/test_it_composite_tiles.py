"""Composite tiles (/tiles/base/…, /tiles/set/a,b/…), 512-pixel tiles and one label per place."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test import Client

from geo.models import Building, Community, District, Pairing, Street
from geo.roles import Role
from tests.tiles.test_it_tiles import interior, tile_of
from tiles.cache import TileCache
from tiles.layers import BASEMAP_LAYERS
from tiles.tilemath import tile_bounds

pytestmark = pytest.mark.django_db


def decoded(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, (resp.status_code, resp.content[:200])
    return mapbox_vector_tile.decode(resp.content)


def test_it_serves_the_basemap_as_one_tile_of_its_layers(demo_db: None, client: Client) -> None:
    assert Building.objects.exists()
    with connection.cursor() as cur:  # where the first community's name is placed
        cur.execute("SELECT ST_X(c), ST_Y(c) FROM (SELECT (ST_MaximumInscribedCircle(geom))"
                    ".center AS c FROM geo_community ORDER BY code LIMIT 1) s")
        lon, lat = cur.fetchone()
    z, x, y = tile_of(lon, lat, 15)
    base = client.get(f"/tiles/base/{z}/{x}/{y}.pbf")
    layers = decoded(base)
    assert {"roads", "buildings", "places"} <= set(layers) <= set(BASEMAP_LAYERS)
    assert base["Cache-Control"] == "no-cache"  # its labels follow edits
    # The same bytes as its layers' own tiles, one after the other.
    parts = [client.get(f"/tiles/{name}/{z}/{x}/{y}.pbf") for name in BASEMAP_LAYERS]
    assert base.content == b"".join(p.content for p in parts if p.status_code == 200)
    again = client.get(f"/tiles/base/{z}/{x}/{y}.pbf")
    assert again["X-Tile-Cache"] == "hit" and again["ETag"] == base["ETag"]
    assert client.get(f"/tiles/base/{z}/{x}/{y}.pbf",
                      headers={"if-none-match": base["ETag"]}).status_code == 304


def test_it_names_each_place_once_inside_it(demo_db: None, client: Client) -> None:
    community = Community.objects.order_by("code").first()
    assert community is not None
    lon, lat = interior(Community, community.pk)
    z, x, y = tile_of(lon, lat, 13)
    places = decoded(client.get(f"/tiles/places/{z}/{x}/{y}.pbf"))["places"]["features"]
    names = [f["properties"]["name"] for f in places if f["properties"]["kind"] == "community"]
    assert community.name in names
    assert len(names) == len(set(names))  # one point per community, not one per tile piece
    with connection.cursor() as cur:  # and that point lies inside its community
        cur.execute("SELECT ST_Contains(geom, (ST_MaximumInscribedCircle(geom)).center) "
                    "FROM geo_community WHERE id = %s", [community.pk])
        assert cur.fetchone()[0] is True
    # Street names from zoom 11, community names from 13, centers' names from 15.
    z11 = decoded(client.get("/tiles/places/{}/{}/{}.pbf".format(*tile_of(lon, lat, 11))))
    kinds = {f["properties"]["kind"] for f in z11["places"]["features"]}
    assert "street" in kinds and "community" not in kinds and "center" not in kinds
    assert District.objects.exists() and Street.objects.exists()


def test_it_shows_512_pixel_tiles_one_zoom_deeper(demo_db: None, client: Client) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM geo_walkedge "
                    "WHERE highway = 'residential' ORDER BY id LIMIT 1")
        lon, lat = cur.fetchone()
    z, x, y = tile_of(lon, lat, 13)
    # Residential streets are drawn from zoom 14: a 256-pixel z13 tile leaves them out, a
    # 512-pixel z13 tile (shown at zoom 14) has them.
    small = client.get(f"/tiles/roads/{z}/{x}/{y}.pbf")
    small_kinds = ({f["properties"]["highway"] for f in decoded(small)["roads"]["features"]}
                   if small.status_code == 200 else set())
    big = decoded(client.get(f"/tiles/roads/{z}/{x}/{y}.pbf?size=512"))
    assert "residential" not in small_kinds
    assert "residential" in {f["properties"]["highway"] for f in big["roads"]["features"]}
    assert client.get(f"/tiles/roads/{z}/{x}/{y}.pbf?size=300").status_code == 400


def test_it_refuses_unknown_repeated_or_unauthorised_layers(demo_db: None,
                                                            client: Client) -> None:
    pairing = Pairing.objects.select_related("community").order_by("pk").first()
    assert pairing is not None
    z, x, y = tile_of(*interior(Community, pairing.community.pk), 14)
    assert client.get(f"/tiles/set/roads,nope/{z}/{x}/{y}.pbf").status_code == 404
    assert client.get(f"/tiles/set/roads,roads/{z}/{x}/{y}.pbf").status_code == 404
    assert client.get(f"/tiles/set/{','.join(['roads'] * 9)}/{z}/{x}/{y}.pbf").status_code == 404
    assert client.get(f"/tiles/set/roads,centers/{z}/99999/{y}.pbf").status_code == 404
    # A staff layer in a set is refused as it is alone: to anonymous users, 401.
    refused = client.get(f"/tiles/set/communities,pairings/{z}/{x}/{y}.pbf")
    assert refused.status_code == 401
    from tests.geo.test_it_roles import _login

    planner = _login(Role.PLANNER, pairing.community.code[:9], "planner-set")
    mixed = planner.get(f"/tiles/set/communities,pairings/{z}/{x}/{y}.pbf")
    assert {"communities", "pairings"} <= set(decoded(mixed))
    assert mixed["Cache-Control"] == "private, no-cache"


def test_it_clears_every_size_and_every_layer(tmp_path: Path) -> None:
    store = TileCache(tmp_path)
    for key in ("roads", "roads@512", "places", "grids@512"):
        assert store.put(key, 14, 1, 2, b"x", time.time())
    store.invalidate("roads", [tile_bounds(14, 1, 2)])
    assert store.get("roads", 14, 1, 2) is None and store.get("roads@512", 14, 1, 2) is None
    assert store.get("places", 14, 1, 2) == b"x"
    store.clear()  # everything: this used to clear nothing (layer folders have names)
    assert store.get("places", 14, 1, 2) is None and store.get("grids@512", 14, 1, 2) is None


def features(row: Any) -> list[str]:
    if not row or not row[0]:
        return []
    layer = mapbox_vector_tile.decode(bytes(row[0])).get("places", {"features": []})
    return sorted(repr((f["properties"], f["geometry"])) for f in layer["features"])


def test_it_draws_the_same_labels_as_without_the_envelope_prefilter(demo_db: None) -> None:
    # The places layer computes label points only for areas meeting the tile: every tile
    # around the demo (inside, on its edge, beyond) holds exactly what the unfiltered
    # query gives.
    import dataclasses

    from tiles.layers import LAYERS, params, tile_sql

    layer = LAYERS["places"]
    unfiltered = dataclasses.replace(
        layer, select=layer.select.replace(" AND t.geom && (SELECT wgs FROM env)", "")
                                  .replace("WHERE t.geom && (SELECT wgs FROM env)", "")
                                  .replace(" AND t.location && (SELECT wgs FROM env)", ""))
    assert "env" not in unfiltered.select
    lon, lat = interior(District, District.objects.get(code="510199").pk)
    checked = 0
    for z in (10, 12, 13, 14, 15, 16):
        _z, x0, y0 = tile_of(lon, lat, z)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                values = {**params(layer, z, x0 + dx, y0 + dy, 30.0, 300.0, (150, 500)),
                          "scope": "%"}
                with connection.cursor() as cur:
                    cur.execute(tile_sql(layer), values)
                    ours = cur.fetchone()
                    cur.execute(tile_sql(unfiltered), values)
                    theirs = cur.fetchone()
                # The same features (the index scan may list them in another order).
                assert features(ours) == features(theirs), (z, x0 + dx, y0 + dy)
                checked += bool(ours and ours[0])
    assert checked > 10  # most of those tiles hold labels
