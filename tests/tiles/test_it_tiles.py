"""Vector tiles: every layer decodes with its attributes; ETag, 204, 404, zoom filters, cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client

from geo.analysis.rules import load_profile
from geo.models import Community, GridUnit, LandFeature, Pairing, ServiceCenter
from geo.services.rules import run_facility
from tests.import_helpers import run
from tests.osm_fixture import LAT0, LON0, write_osm
from tiles.layers import LAYERS
from tiles.tilemath import tile_bounds, tile_xy

pytestmark = pytest.mark.django_db


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    x, y = tile_xy(lon, lat, z)
    return z, int(x), int(y)


def get(client: Client, layer: str, zxy: tuple[int, int, int], **headers: str) -> Any:
    z, x, y = zxy
    return client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", headers=headers)


def features(resp: Any, layer: str) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(resp.content)
    assert list(decoded) == [layer]
    assert decoded[layer]["extent"] == 4096
    return [f["properties"] | {"_geom": f["geometry"]} for f in decoded[layer]["features"]]


def interior(model: type[Model], pk: int, column: str = "geom") -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface({column}) p "
                    f"FROM {model._meta.db_table} WHERE id = %s) s", [pk])
        x, y = cur.fetchone()
    return float(x), float(y)


def test_it_lists_every_layer_as_tilejson(demo_db: None, client: Client) -> None:
    index = client.get("/tiles/").json()
    names = [doc["name"] for doc in index["layers"]]
    assert names == ["districts", "streets", "communities", "grids", "centers", "units",
                     "pairings", "buildings", "compounds", "roads", "water", "landuse",
                     "places"]
    assert index["basemap"] == ["landuse", "water", "roads", "buildings", "places"]
    grids = client.get("/tiles/grids.json").json()
    assert grids["tilejson"] == "3.0.0"
    assert grids["tiles"] == ["http://testserver/tiles/grids/{z}/{x}/{y}.pbf"]
    assert grids["vector_layers"][0]["fields"]["households"] == "Number"
    west, south, east, north = grids["bounds"]
    # The generated demo district lies east of central Chengdu.
    assert 103.9 < west < east < 104.4 and 30.4 < south < north < 30.9
    assert client.get("/tiles/nothing.json").status_code == 404


def test_it_serves_grid_attributes_from_the_database(demo_db: None, client: Client) -> None:
    grid = GridUnit.objects.select_related("community").order_by("code")[5]
    zxy = tile_of(*interior(GridUnit, grid.pk), 15)
    found = {f["code"]: f for f in features(get(client, "grids", zxy), "grids")}
    assert grid.code in found
    f = found[grid.code]
    low, high = load_profile(None).grid_households
    expected = "low" if grid.households < low else "high" if grid.households > high else "ok"
    assert (f["households"], f["community_code"], f["version"], f["rule_status"]) == (
        grid.households, grid.community.code, grid.version, expected)
    assert f["_geom"]["type"] in ("Polygon", "MultiPolygon")
    # Every grid the tile's envelope meets is in it, and no other.
    w, s, e, n = tile_bounds(*zxy)
    with connection.cursor() as cur:
        cur.execute("SELECT code FROM geo_gridunit WHERE ST_Intersects(geom, "
                    "ST_MakeEnvelope(%s, %s, %s, %s, 4326))", [w, s, e, n])
        inside = {r[0] for r in cur.fetchall()}
    assert inside <= set(found)


def test_it_colours_communities_like_the_facility_analysis(demo_db: None,
                                                           client: Client) -> None:
    reference = {r["code"]: r for r in run_facility("", load_profile(None))["communities"]}
    seen = 0
    for comm in Community.objects.order_by("code")[:12]:
        zxy = tile_of(*interior(Community, comm.pk), 14)
        for f in features(get(client, "communities", zxy), "communities"):
            ref = reference[f["code"]]
            assert f["floor_area_m2"] == pytest.approx(ref["floor_area_m2"])
            assert f["centers"] == ref["centers"]
            if ref["m2_per_100_households"] is None:
                assert "m2_per_100_households" not in f
            else:
                assert f["m2_per_100_households"] == pytest.approx(
                    ref["m2_per_100_households"], abs=0.005)
            assert f["shortfall_m2"] == pytest.approx(ref["shortfall_m2"], abs=0.05)
            assert (f["rule_status"] == "meets") == ref["meets"]
            assert (f["rule_status"] == "no_center") == (not ref["meets"] and
                                                         ref["centers"] == 0)
            seen += 1
    assert seen >= 12


def test_it_draws_centers_units_and_pairing_lines(demo_db: None, staff_client: Client) -> None:
    center = ServiceCenter.objects.filter(level="community").order_by("id").first()
    assert center is not None
    zxy = tile_of(center.location.x, center.location.y, 15)
    names = {f["name"]: f for f in features(get(staff_client, "centers", zxy), "centers")}
    assert names[center.name]["floor_area"] == pytest.approx(center.floor_area)
    assert names[center.name]["_geom"]["type"] == "Point"
    # Community-level centers are left out of city-wide tiles.
    far = tile_of(center.location.x, center.location.y, 11)
    resp = get(staff_client, "centers", far)
    small = {f["name"] for f in features(resp, "centers")} if resp.status_code == 200 else set()
    assert center.name not in small
    pairing = Pairing.objects.select_related("unit", "community").first()
    assert pairing is not None
    zxy = tile_of(pairing.unit.location.x, pairing.unit.location.y, 14)
    lines = features(get(staff_client, "pairings", zxy), "pairings")
    mine = [f for f in lines if f["id"] == pairing.pk]
    assert mine and mine[0]["community_code"] == pairing.community.code
    assert mine[0]["_geom"]["type"] == "LineString"
    units = features(get(staff_client, "units", zxy), "units")
    assert pairing.unit.name in {f["name"] for f in units}


def test_it_keeps_minor_roads_and_buildings_for_close_zooms(demo_db: None,
                                                            client: Client) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM geo_walkedge "
                    "WHERE highway = 'residential' ORDER BY id LIMIT 1")
        lon, lat = cur.fetchone()
    near = {f["highway"] for f in features(get(client, "roads", tile_of(lon, lat, 16)),
                                           "roads")}
    assert "residential" in near
    resp = get(client, "roads", tile_of(lon, lat, 11))
    wide = {f["highway"] for f in features(resp, "roads")} if resp.status_code == 200 else set()
    assert wide <= {"trunk", "primary"}
    # Buildings start at zoom 14: below it the tile is empty.
    assert get(client, "buildings", tile_of(lon, lat, 13)).status_code == 204


def test_it_serves_water_and_landuse_from_an_osm_import(demo_db: None, client: Client,
                                                        tmp_path: Path) -> None:
    run("import_osm", write_osm(tmp_path / "t.osm"), "--no-progress")
    lake = LandFeature.objects.get(name="测试湖")
    zxy = tile_of(*interior(LandFeature, lake.pk), 15)
    assert "测试湖" in {f.get("name") for f in features(get(client, "water", zxy), "water")}
    park = LandFeature.objects.get(name="测试公园")
    zxy = tile_of(*interior(LandFeature, park.pk), 15)
    kinds = {f["name"]: f["kind"] for f in features(get(client, "landuse", zxy), "landuse")}
    assert kinds["测试公园"] == "park"
    assert abs(LON0 - lake.geom.centroid.x) < 0.01 and abs(LAT0 - lake.geom.centroid.y) < 0.01


def test_it_answers_empty_unknown_and_impossible_tiles(demo_db: None, client: Client) -> None:
    # The middle of the Atlantic has no grid.
    assert get(client, "grids", tile_of(-30.0, 0.0, 14)).status_code == 204
    resp = get(client, "nowhere", (14, 0, 0))
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "unknown_layer"
    resp = client.get("/tiles/grids/3/8/0.pbf")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "bad_tile"
    assert client.get("/tiles/grids/23/0/0.pbf").status_code == 404


def test_it_revalidates_with_etags_and_caches_on_the_server(demo_db: None,
                                                             client: Client) -> None:
    grid = GridUnit.objects.order_by("code").first()
    assert grid is not None
    zxy = tile_of(*interior(GridUnit, grid.pk), 15)
    first = get(client, "grids", zxy)
    assert first["X-Tile-Cache"] == "miss" and first["Cache-Control"] == "no-cache"
    second = get(client, "grids", zxy)
    assert second["X-Tile-Cache"] == "hit" and second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert get(client, "grids", zxy, if_none_match=first["ETag"]).status_code == 304
    assert get(client, "grids", zxy, if_none_match='"stale"').status_code == 200
    assert get(client, "roads", zxy)["Cache-Control"] == "public, max-age=3600"


def test_it_invalidates_exactly_the_tiles_an_edit_touches(
        demo_db: None, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    grids = list(GridUnit.objects.order_by("code"))
    grid, far = grids[0], grids[-1]
    here = tile_of(*interior(GridUnit, grid.pk), 16)
    there = tile_of(*interior(GridUnit, far.pk), 16)
    assert here != there
    before = get(client, "grids", here)
    get(client, "grids", there)
    comm_tile = tile_of(*interior(GridUnit, grid.pk), 14)
    get(client, "communities", comm_tile)
    with django_capture_on_commit_callbacks(execute=True):
        grid.households += 7
        grid.save()
    after = get(client, "grids", here)
    assert after["X-Tile-Cache"] == "miss" and after["ETag"] != before["ETag"]
    mine = next(f for f in features(after, "grids") if f["code"] == grid.code)
    assert mine["households"] == grid.households
    assert get(client, "grids", there)["X-Tile-Cache"] == "hit"
    # A service center changes its community's ratio: that community's tiles are re-rendered.
    assert get(client, "communities", comm_tile)["X-Tile-Cache"] == "hit"
    center = ServiceCenter.objects.filter(community=grid.community).first()
    assert center is not None
    with django_capture_on_commit_callbacks(execute=True):
        center.floor_area += 100
        center.save()
    assert get(client, "communities", comm_tile)["X-Tile-Cache"] == "miss"
    assert get(client, "grids", there)["X-Tile-Cache"] == "hit"


def test_it_knows_each_layer_minimum_zoom(demo_db: None, staff_client: Client) -> None:
    grid = GridUnit.objects.order_by("code").first()
    assert grid is not None
    lon, lat = interior(GridUnit, grid.pk)
    for name, spec in LAYERS.items():
        if spec.minzoom > 0:
            assert get(staff_client, name, tile_of(lon, lat, spec.minzoom - 1)).status_code == 204
