"""OGC API – Features and Tiles at /ogcapi/: what the standard asks, checked on the demo."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.test import Client

from geo.analysis.chinacoords import wgs84_to_gcj02
from geo.models import Account, CoBuildingUnit, Community, GridUnit, ServiceCenter, Street
from geo.roles import Role
from geo.services.access import scope_filter
from webmap.ogcapi.params import MAX_LIMIT

pytestmark = pytest.mark.django_db

GEOJSON = "application/geo+json"


def get(client: Client, url: str, **params: Any) -> Any:
    resp = client.get(url, params, HTTP_ACCEPT="application/json")
    assert resp.status_code == 200, (url, resp.content[:300])
    return json.loads(resp.content)


def walk(client: Client, url: str, **params: Any) -> tuple[list[int], list[dict[str, Any]]]:
    """Every feature id by following ``next`` links; and each page's body."""
    ids: list[int] = []
    pages = []
    body = get(client, url, **params)
    while True:
        pages.append(body)
        ids += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not nxt:
            return ids, pages
        body = get(client, nxt[0])


def test_it_links_the_landing_page_to_everything(demo_db: None, client: Client) -> None:
    landing = get(client, "/ogcapi/")
    rels = {link["rel"]: link for link in landing["links"]}
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        resp = client.get(rels[rel]["href"])
        assert resp.status_code == 200, rel
        assert resp["Content-Type"].startswith(rels[rel]["type"].split(";")[0]), rel
    conf = get(client, rels["conformance"]["href"])["conformsTo"]
    for part in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
                 "ogcapi-features-2/1.0/conf/crs", "ogcapi-tiles-1/1.0/conf/core"):
        assert any(c.endswith(part) for c in conf), part
    api = get(client, rels["service-desc"]["href"])
    assert api["openapi"].startswith("3.0")
    limit = next(p for p in api["paths"]["/collections/grids/items"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_LIMIT


def test_it_lists_public_collections_and_staff_ones_only_for_staff(
        demo_db: None, staff_client: Client) -> None:
    client = Client()  # anonymous (staff_client is the logged-in default client)
    public = {c["id"] for c in get(client, "/ogcapi/collections")["collections"]}
    assert {"districts", "streets", "communities", "grids", "centers", "compounds",
            "buildings", "roads"} <= public
    assert not {"units", "pairings"} & public
    for cid in ("units", "pairings"):
        resp = client.get(f"/ogcapi/collections/{cid}/items")
        assert resp.status_code == 401
        assert json.loads(resp.content)["code"] == "not_authenticated"
    staff = {c["id"] for c in get(staff_client, "/ogcapi/collections")["collections"]}
    assert {"units", "pairings"} <= staff
    grids = get(client, "/ogcapi/collections/grids")
    rels = {link["rel"] for link in grids["links"]}
    assert {"self", "items", "describedby"} <= rels
    west, south, east, north = grids["extent"]["spatial"]["bbox"][0]
    from django.contrib.gis.db.models import Extent
    box = GridUnit.objects.aggregate(e=Extent("geom"))["e"]
    # A table this small is measured, not estimated (rounded to 1e-6°).
    assert [west, south, east, north] == pytest.approx(list(box), abs=1e-6)


def test_it_walks_every_page_by_key(demo_db: None, client: Client) -> None:
    ids, pages = walk(client, "/ogcapi/collections/grids/items", limit=37)
    assert ids == sorted(GridUnit.objects.values_list("id", flat=True))
    assert all(p["numberMatched"] == len(ids) for p in pages)
    assert all(p["numberReturned"] == len(p["features"]) <= 37 for p in pages)
    # Page 2's prev link gives page 1 back; its own next link gives page 2 again.
    prev = next(link["href"] for link in pages[1]["links"] if link["rel"] == "prev")
    back = get(client, prev)
    assert [f["id"] for f in back["features"]] == ids[:37]
    assert not [link for link in pages[0]["links"] if link["rel"] == "prev"]
    # No page is read with OFFSET: the next link carries the last key.
    assert "offset" not in json.dumps(pages[0]["links"]).lower()
    # A limit past the maximum is served at the maximum, not refused (Part 1, 7.15.4).
    big = get(client, "/ogcapi/collections/buildings/items", limit=MAX_LIMIT * 10)
    assert big["numberReturned"] == min(MAX_LIMIT, big["numberMatched"])


def test_it_types_properties_in_the_schema(demo_db: None, client: Client) -> None:
    schema = get(client, "/ogcapi/collections/grids/schema")["properties"]
    assert schema["households"]["type"] == "integer"
    assert schema["households_estimated"]["type"] == "boolean"
    assert schema["updated_at"]["type"] == "string"
    assert schema["updated_at"]["format"] == "date-time"
    assert schema["households"]["title"] == "户数"  # the field's label, in the reader's language
    assert schema["geometry"]["format"] == "geometry-multipolygon"
    feature = get(client, "/ogcapi/collections/grids/items", limit=1)["features"][0]
    grid = GridUnit.objects.select_related("community").get(pk=feature["id"])
    props = feature["properties"]
    assert props["code"] == grid.code and props["households"] == grid.households
    assert props["community_code"] == grid.community.code
    assert set(props) == set(schema) - {"geometry"}
    queryables = get(client, "/ogcapi/collections/grids/queryables")["properties"]
    assert set(queryables) == {"geometry", "code", "community_code"}


def test_it_filters_by_bbox_in_each_crs(demo_db: None, client: Client) -> None:
    box = Community.objects.order_by("code")[5].geom.extent
    west, south, east, north = box
    expected = sorted(GridUnit.objects.filter(geom__intersects=Polygon.from_bbox(box))
                      .values_list("id", flat=True))
    assert 0 < len(expected) < GridUnit.objects.count()
    crs84, _ = walk(client, "/ogcapi/collections/grids/items",
                    bbox=f"{west},{south},{east},{north}")
    lat_first, _ = walk(client, "/ogcapi/collections/grids/items",
                        bbox=f"{south},{west},{north},{east}",
                        **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"})
    with connection.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
                    "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 3857) e) x",
                    [west, south, east, north])
        merc = cur.fetchone()
    # The envelope in metres is a little larger than the one in degrees (its corners):
    # compare with the grids meeting that envelope, transformed back.
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM geo_gridunit WHERE ST_Intersects(geom, ST_Transform("
                    "ST_MakeEnvelope(%s, %s, %s, %s, 3857), 4326)) ORDER BY id", list(merc))
        in_metres = [r[0] for r in cur.fetchall()]
    metres, _ = walk(client, "/ogcapi/collections/grids/items",
                     bbox=",".join(str(v) for v in merc), **{"bbox-crs": "EPSG:3857"})
    assert crs84 == lat_first == expected
    assert metres == in_metres


def test_it_writes_coordinates_in_the_asked_crs(demo_db: None, client: Client) -> None:
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    lon, lat = center.location.x, center.location.y
    url = f"/ogcapi/collections/centers/items/{center.pk}"
    plain = client.get(url, HTTP_ACCEPT="application/geo+json")
    assert plain["Content-Type"] == GEOJSON
    assert plain["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert json.loads(plain.content)["geometry"]["coordinates"] == pytest.approx([lon, lat],
                                                                                abs=1e-7)
    for uri in ("http://www.opengis.net/def/crs/EPSG/0/4326",
                "http://www.opengis.net/def/crs/EPSG/0/4490"):
        resp = client.get(url, {"crs": uri})
        assert resp["Content-Crs"] == f"<{uri}>"
        assert json.loads(resp.content)["geometry"]["coordinates"] == pytest.approx(
            [lat, lon], abs=1e-6)  # OGC axis order: latitude first
    resp = client.get(url, {"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"})
    geometry = json.loads(resp.content)["geometry"]
    assert "crs" not in geometry
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID("
                    "ST_MakePoint(%s, %s), 4326), 3857) p) x", [lon, lat])
        x, y = cur.fetchone()
    assert geometry["coordinates"] == pytest.approx([x, y], abs=0.01)
    resp = client.get(url, {"crs": "urn:wangge:def:crs:GCJ-02"})
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert json.loads(resp.content)["geometry"]["coordinates"] == pytest.approx(
        [float(glon), float(glat)], abs=1e-7)
    assert abs(float(glon) - lon) > 1e-4  # the shift is real here (mainland China)
    resp = client.get(url, {"crs": "EPSG:4547"})
    assert resp.status_code == 400 and json.loads(resp.content)["error"]["field"] == "crs"


def test_it_filters_by_property_and_time(demo_db: None, client: Client) -> None:
    community = Community.objects.order_by("code")[3]
    ids, _ = walk(client, "/ogcapi/collections/grids/items", community_code=community.code)
    assert ids == sorted(community.grids.values_list("id", flat=True))
    old = list(GridUnit.objects.order_by("pk").values_list("pk", flat=True)[:5])
    GridUnit.objects.filter(pk__in=old).update(
        updated_at=dt.datetime(2020, 3, 1, 8, tzinfo=dt.UTC))
    before, _ = walk(client, "/ogcapi/collections/grids/items", datetime="../2020-12-31")
    assert before == old
    day, _ = walk(client, "/ogcapi/collections/grids/items", datetime="2020-03-01")
    assert day == old
    after, _ = walk(client, "/ogcapi/collections/grids/items",
                    datetime="2021-01-01T00:00:00Z/..")
    assert set(after) == set(GridUnit.objects.values_list("id", flat=True)) - set(old)


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"bbox": "1,2,3"}, "bbox"), ({"bbox": "104,31,103,30"}, "bbox"),
    ({"bbox": "nan,1,2,3"}, "bbox"), ({"datetime": "yesterday"}, "datetime"),
    ({"datetime": "2025-02-01/2025-01-01"}, "datetime"), ({"after": "-1"}, "after"),
    ({"after": "1", "before": "9"}, "before"), ({"community_code": "x", "zone": "1"}, "zone"),
    ({"bbox-crs": "EPSG:999999"}, "bbox-crs"), ({"code": ["1", "2"]}, None),
])
def test_it_refuses_bad_parameters_with_the_field(demo_db: None, client: Client,
                                                   params: dict[str, Any],
                                                   field: str | None) -> None:
    resp = client.get("/ogcapi/collections/grids/items", params)
    if field is None:  # a repeated filter: the last value is used, as Django reads it
        assert resp.status_code == 200
        return
    assert resp.status_code == 400, params
    body = json.loads(resp.content)
    assert body["code"] == "invalid_parameter" and body["error"]["field"] == field
    assert body["description"] == body["error"]["message"]


def test_it_keeps_staff_collections_inside_the_scope(demo_db: None, client: Client,
                                                     django_user_model: Any) -> None:
    street = Street.objects.order_by("code").first()
    assert street is not None
    user = django_user_model.objects.create_user("street-viewer", password="pw-street-1")
    Account.assign(user, Role.VIEWER, street.code)
    client.force_login(user)
    ids, pages = walk(client, "/ogcapi/collections/units/items", limit=10)
    inside = sorted(CoBuildingUnit.objects.filter(scope_filter(CoBuildingUnit, street.code))
                    .values_list("id", flat=True))
    assert ids == inside and 0 < len(ids) < CoBuildingUnit.objects.count()
    assert pages[0]["numberMatched"] == len(inside)
    outside = CoBuildingUnit.objects.exclude(id__in=inside).first()
    assert outside is not None
    assert client.get(f"/ogcapi/collections/units/items/{outside.pk}").status_code == 404
    assert client.get(f"/ogcapi/collections/units/items/{inside[0]}").status_code == 200
    pairings, _ = walk(client, "/ogcapi/collections/pairings/items")
    codes = {f["properties"]["community_code"] for f in get(
        client, "/ogcapi/collections/pairings/items", limit=1000)["features"]}
    assert all(code.startswith(street.code) for code in codes)
    assert len(pairings) == len(set(pairings))


def test_it_shows_pages_to_people_with_names_escaped(demo_db: None, client: Client) -> None:
    grid = GridUnit.objects.order_by("pk").first()
    assert grid is not None
    GridUnit.objects.filter(pk=grid.pk).update(name='<img src=x onerror="alert(1)">网格')
    resp = client.get("/ogcapi/collections/grids/items", {"limit": 5},
                      HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/html")
    html = resp.content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert 'id="ogc-features"' in html and 'rel="next"' in html
    for url in ("/ogcapi/", "/ogcapi/collections", "/ogcapi/collections/grids",
                f"/ogcapi/collections/grids/items/{grid.pk}", "/ogcapi/api.html",
                "/ogcapi/conformance", "/ogcapi/collections/grids/queryables"):
        page = client.get(url, {"f": "html"})
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html"), url


def test_it_describes_the_vector_tiles(demo_db: None, client: Client) -> None:
    tms = get(client, "/ogcapi/tileMatrixSets/WebMercatorQuad")
    assert tms["crs"].endswith("/EPSG/0/3857") and len(tms["tileMatrices"]) == 23
    assert tms["tileMatrices"][14]["matrixWidth"] == 2**14
    tileset = get(client, "/ogcapi/collections/grids/tiles/WebMercatorQuad")
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    assert "{tileMatrix}/{tileRow}/{tileCol}" in template
    assert tileset["layers"][0]["id"] == "grids"
    # The tile a client builds from the template is the tile of /tiles/ (row = y, col = x).
    grid = GridUnit.objects.order_by("pk").first()
    assert grid is not None
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(%s::"
                    "geometry), 3857) p) s", [grid.geom.ewkt])
        x, y = cur.fetchone()
    z = 15
    size = 2 * 20037508.3427892 / 2**z
    col, row = int((x + 20037508.3427892) // size), int((20037508.3427892 - y) // size)
    path = template.split("testserver")[1].format(tileMatrix=z, tileRow=row, tileCol=col)
    ogc = client.get(path)
    plain = client.get(f"/tiles/grids/{z}/{col}/{row}.pbf")
    assert ogc.status_code == plain.status_code == 200
    assert ogc.content == plain.content and len(ogc.content) > 0
    assert client.get("/ogcapi/collections/units/tiles/WebMercatorQuad/15/0/0").status_code == 401
    meta = get(client, "/tiles/grids/metadata.json")
    assert meta["format"] == "pbf" and json.loads(meta["json"])["vector_layers"][0]["id"] == "grids"


def test_it_walks_a_filtered_layer_back_and_forth(demo_db: None, client: Client) -> None:
    box = Community.objects.order_by("code")[7].geom.extent
    bbox = ",".join(str(v) for v in box)
    ids, pages = walk(client, "/ogcapi/collections/buildings/items", limit=13, bbox=bbox)
    assert len(pages) >= 3 and ids == sorted(set(ids))
    # Back from the last page by prev links: the same pages in reverse.
    back: list[int] = []
    body = pages[-1]
    while True:
        back = [f["id"] for f in body["features"]] + back
        prev = [link["href"] for link in body["links"] if link["rel"] == "prev"]
        if not prev:
            break
        body = get(client, prev[0])
    assert back == ids
