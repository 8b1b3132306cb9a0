"""OGC API – Tiles over the existing vector tiles: tiling scheme, tilesets, tiles.

The tiles themselves are those of ``/tiles/{layer}/{z}/{x}/{y}.pbf`` (same cache, same staff
rules); here they get the OGC metadata a client needs to find them (QGIS, GDAL, OWSLib).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tiles import views as tile_views
from tiles.layers import LAYERS as TILE_LAYERS

from . import query
from .crs import CRS84
from .views import JSON, REL, _collection_or_refusal, answer, error, link, url

MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
ORIGIN = 20037508.3427892
MAX_MATRIX = 22


def web_mercator_quad() -> dict[str, Any]:
    """The WebMercatorQuad tile matrix set (OGC 17-083r4 annex D.1), zooms 0–22."""
    return {
        "id": TMS_ID, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
        "crs": MERCATOR, "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [{
            "id": str(z), "scaleDenominator": 559082264.0287178 / 2**z,
            "cellSize": 156543.03392804097 / 2**z, "cornerOfOrigin": "topLeft",
            "pointOfOrigin": [-ORIGIN, ORIGIN], "tileWidth": 256, "tileHeight": 256,
            "matrixWidth": 2**z, "matrixHeight": 2**z} for z in range(MAX_MATRIX + 1)],
    }


@require_GET
def tile_matrix_sets(request: HttpRequest) -> HttpResponse:
    """The tiling schemes offered: WebMercatorQuad."""
    return answer(request, {"tileMatrixSets": [{
        "id": TMS_ID, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
        "links": [link(url(request, "tile-matrix-set", TMS_ID), "self", JSON)]}]},
        "landing.html")


@require_GET
def tile_matrix_set(request: HttpRequest, tms: str) -> HttpResponse:
    """One tiling scheme's definition."""
    if tms != TMS_ID:
        return error("not_found", _("没有瓦片矩阵集 %(id)s；可用：%(known)s") % {
            "id": tms, "known": TMS_ID}, 404)
    return JsonResponse(web_mercator_quad())


def _tileset(request: HttpRequest, cid: str) -> dict[str, Any]:
    c = _collection_or_refusal(request, cid)
    assert not isinstance(c, JsonResponse)
    spec = TILE_LAYERS[c[0].tiles]
    out: dict[str, Any] = {
        "title": str(c[0].title), "dataType": "vector", "crs": MERCATOR,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(url(request, "tileset", cid, TMS_ID), "self", JSON),
            link(url(request, "tile-matrix-set", TMS_ID), REL + "tiling-scheme", JSON),
            link(url(request, "collection", cid), "collection", JSON),
            {**link(url(request, "tileset", cid, TMS_ID) + "/{tileMatrix}/{tileRow}/{tileCol}",
                    "item", MVT, _("矢量瓦片")), "templated": True},
        ],
        "layers": [{"id": spec.name, "dataType": "vector", "geometryDimension":
                    {"Point": 0, "LineString": 1}.get(c[0].geometry, 2),
                    "minTileMatrix": str(spec.minzoom), "maxTileMatrix": str(MAX_MATRIX),
                    "propertiesSchema": {"type": "object", "properties": {
                        name: {"type": kind.lower()} for name, kind in spec.fields.items()}}}],
        "tileMatrixSetLimits": [],
    }
    bbox = query.extent(c[0])
    if bbox:
        out["boundingBox"] = {"lowerLeft": bbox[:2], "upperRight": bbox[2:], "crs": CRS84}
    return out


@require_GET
def tilesets(request: HttpRequest, cid: str) -> HttpResponse:
    """The vector tilesets of a collection (one: WebMercatorQuad)."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    if not found[0].tiles:
        return error("not_found", _("图层 %(id)s 没有矢量瓦片") % {"id": cid}, 404)
    return answer(request, {"links": [link(url(request, "collection", cid), "collection", JSON)],
                            "tilesets": [{
                                "title": str(found[0].title), "dataType": "vector",
                                "crs": MERCATOR, "tileMatrixSetURI": TMS_URI,
                                "links": [link(url(request, "tileset", cid, TMS_ID), "self",
                                               JSON)]}]}, "landing.html")


@require_GET
def tileset(request: HttpRequest, cid: str, tms: str) -> HttpResponse:
    """A collection's tileset metadata: tile URL template, layer and its fields."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    if tms != TMS_ID or not found[0].tiles:
        return error("not_found", _("图层 %(id)s 没有瓦片矩阵集 %(tms)s 的瓦片") % {
            "id": cid, "tms": tms}, 404)
    return answer(request, _tileset(request, cid), "landing.html")


@require_GET
def tile(request: HttpRequest, cid: str, tms: str, z: int, row: int, col: int
         ) -> HttpResponse:
    """One tile: row is y, column is x of ``/tiles/{layer}/{z}/{x}/{y}.pbf``."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    if tms != TMS_ID or not found[0].tiles:
        return error("not_found", _("图层 %(id)s 没有瓦片矩阵集 %(tms)s 的瓦片") % {
            "id": cid, "tms": tms}, 404)
    return tile_views.tile(request, found[0].tiles, z, col, row)
