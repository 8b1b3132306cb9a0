"""``/tiles/{layer}/{z}/{x}/{y}.pbf``, the TileJSON index and one TileJSON per layer."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from geo.services.access import scope_of
from geo.services.errors import error_body

from .cache import TileCache
from .layers import BASEMAP_LAYERS, LAYERS, TileLayer
from .render import layer_bounds, render_tile, tile_meets_scope
from .tilemath import MAX_ZOOM, valid_tile

MVT = "application/vnd.mapbox-vector-tile"
# Planning data for staff (layer: model name for the view permission); the rest is public.
STAFF_LAYERS = {"units": "cobuildingunit", "pairings": "pairing"}


def tile_cache() -> TileCache:
    """The shared tile cache (``settings.TILE_CACHE_DIR``)."""
    return TileCache(settings.TILE_CACHE_DIR)


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)


def _cache_control(layer: TileLayer) -> str:
    # Basemap layers change only on import; overlays are edited, so browsers revalidate
    # them every time (a 304 costs a hash comparison, not a render).
    if layer.name in STAFF_LAYERS:
        return "private, no-cache"
    return "public, max-age=3600" if layer.basemap else "no-cache"


def _staff_refusal(request: HttpRequest, layer: str, z: int, x: int, y: int
                   ) -> JsonResponse | None:
    """Why a staff layer's tile is refused to this user (None: serve it)."""
    user = request.user
    if not user.is_authenticated:
        return _error("not_authenticated", "请先登录 log in to see this layer", 401)
    if not user.has_perm(f"geo.view_{STAFF_LAYERS[layer]}"):
        return _error("forbidden", f"没有查看权限 you may not view {layer}", 403)
    scope = scope_of(user)
    if scope is None:
        return _error("forbidden", "此账号没有分配工作范围 this account has no role or scope", 403)
    if scope and not tile_meets_scope(z, x, y, scope):
        return _error("forbidden", f"瓦片 {z}/{x}/{y} 不在您的范围 {scope} 内 tile {z}/{x}/{y} "
                      f"lies outside your scope {scope}", 403)
    return None


@require_GET
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """One Mapbox Vector Tile; 204 when empty, 304 when the client's ETag still matches."""
    spec = LAYERS.get(layer)
    if spec is None:
        return _error("unknown_layer", f"no tile layer {layer!r}; see /tiles/", 404)
    if not valid_tile(z, x, y):
        return _error("bad_tile", f"tile {z}/{x}/{y} does not exist (zoom 0–{MAX_ZOOM}, "
                      f"x and y below 2^zoom)", 404)
    scope = ""
    if layer in STAFF_LAYERS:
        refused = _staff_refusal(request, layer, z, x, y)
        if refused is not None:
            return refused
        scope = scope_of(request.user) or ""
    if scope:
        # A scoped staff tile holds only this user's features: rendered for them, never
        # cached where a user of another scope could be served it.
        body = render_tile(spec, z, x, y, scope)
        status = "scoped"
    else:
        store = tile_cache()
        cached = store.get(layer, z, x, y)
        status = "hit" if cached is not None else "miss"
        if cached is None:
            started = time.time()
            cached = render_tile(spec, z, x, y)
            store.put(layer, z, x, y, cached, started)
        body = cached
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        resp: HttpResponse = HttpResponseNotModified()
    elif not body:
        resp = HttpResponse(status=204)
    else:
        resp = HttpResponse(body, content_type=MVT)
    resp["ETag"] = etag
    resp["Cache-Control"] = _cache_control(spec)
    resp["X-Tile-Cache"] = status
    return resp


def _tilejson(request: HttpRequest, spec: TileLayer) -> dict[str, object]:
    url = request.build_absolute_uri(
        reverse("tiles:tile", args=[spec.name, 0, 0, 0])).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    bounds = layer_bounds(spec)
    doc: dict[str, object] = {
        "tilejson": "3.0.0", "name": spec.name, "description": spec.title,
        "scheme": "xyz", "format": "pbf", "tiles": [url],
        "minzoom": spec.minzoom, "maxzoom": spec.maxzoom,
        "basemap": spec.basemap,
        "vector_layers": [{"id": spec.name, "description": spec.title, "fields": spec.fields,
                           "minzoom": spec.minzoom, "maxzoom": spec.maxzoom}],
    }
    if bounds:
        doc["bounds"] = bounds
        doc["center"] = [round((bounds[0] + bounds[2]) / 2, 6),
                         round((bounds[1] + bounds[3]) / 2, 6), max(spec.minzoom, 13)]
    return doc


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    """Every layer's TileJSON, and the order of the offline basemap."""
    return JsonResponse({"layers": [_tilejson(request, s) for s in LAYERS.values()],
                         "basemap": list(BASEMAP_LAYERS)},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def tilejson(request: HttpRequest, layer: str) -> JsonResponse:
    """TileJSON 3.0.0 of one layer."""
    spec = LAYERS.get(layer)
    if spec is None:
        return _error("unknown_layer", f"no tile layer {layer!r}; see /tiles/", 404)
    return JsonResponse(_tilejson(request, spec), json_dumps_params={"ensure_ascii": False})
