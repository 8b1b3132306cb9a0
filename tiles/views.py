"""``/tiles/{layer}/{z}/{x}/{y}.pbf``, the TileJSON index and one TileJSON per layer."""

from __future__ import annotations

import hashlib
import json
import time

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo.services.access import scope_of
from geo.services.errors import error_body

from .cache import HD, tile_cache
from .layers import BASEMAP_LAYERS, LAYERS, TileLayer
from .render import layer_bounds, render_tile, tile_meets_scope
from .tilemath import MAX_ZOOM, valid_tile

MVT = "application/vnd.mapbox-vector-tile"
# Planning data for staff (layer: model name for the view permission); the rest is public.
STAFF_LAYERS = {"units": "cobuildingunit", "pairings": "pairing"}
# Layers one composite tile may hold.
MAX_SET = 8




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
        return _error("not_authenticated", _("请先登录再查看此图层"), 401)
    if not user.has_perm(f"geo.view_{STAFF_LAYERS[layer]}"):
        return _error("forbidden", _("没有查看图层 %(layer)s 的权限") % {"layer": layer}, 403)
    scope = scope_of(user)
    if scope is None:
        return _error("forbidden", _("此账号没有分配角色或工作范围，请联系管理员"), 403)
    if scope and not tile_meets_scope(z, x, y, scope):
        return _error("forbidden", _("瓦片 %(tile)s 不在您的工作范围 %(scope)s 内")
                      % {"tile": f"{z}/{x}/{y}", "scope": scope}, 403)
    return None


def _size(request: HttpRequest) -> int | JsonResponse:
    raw = request.GET.get("size", "256")
    if raw not in ("256", "512"):
        return _error("bad_size", _("size 应为 256 或 512"), 400)
    return int(raw)


def _body(request: HttpRequest, spec: TileLayer, z: int, x: int, y: int, size: int
          ) -> tuple[bytes, str] | JsonResponse:
    """The tile of one layer and how it was served (hit, miss, scoped), or the refusal."""
    scope = ""
    if spec.name in STAFF_LAYERS:
        refused = _staff_refusal(request, spec.name, z, x, y)
        if refused is not None:
            return refused
        scope = scope_of(request.user) or ""
    if scope:
        # A scoped staff tile holds only this user's features: rendered for them, never
        # cached where a user of another scope could be served it.
        return render_tile(spec, z, x, y, scope, size), "scoped"
    store = tile_cache()
    key = spec.name + (HD if size == 512 else "")
    cached = store.get(key, z, x, y)
    if cached is not None:
        return cached, "hit"
    started = time.time()
    body = render_tile(spec, z, x, y, size=size)
    store.put(key, z, x, y, body, started)
    return body, "miss"


def _answer(request: HttpRequest, body: bytes, cache_control: str, status: str
            ) -> HttpResponse:
    """The tile, 204 when empty, 304 when the client's ETag still matches."""
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        resp: HttpResponse = HttpResponseNotModified()
    elif not body:
        resp = HttpResponse(status=204)
    else:
        resp = HttpResponse(body, content_type=MVT)
    resp["ETag"] = etag
    resp["Cache-Control"] = cache_control
    resp["X-Tile-Cache"] = status
    return resp


@require_GET
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """One Mapbox Vector Tile; ``?size=512`` for a tile shown one zoom deeper."""
    spec = LAYERS.get(layer)
    if spec is None:
        return _error("unknown_layer", _("没有瓦片图层 %(layer)s，图层列表见 /tiles/")
                      % {"layer": layer}, 404)
    if not valid_tile(z, x, y):
        return _bad_tile(z, x, y)
    size = _size(request)
    if isinstance(size, JsonResponse):
        return size
    got = _body(request, spec, z, x, y, size)
    if isinstance(got, JsonResponse):
        return got
    return _answer(request, got[0], _cache_control(spec), got[1])


@require_GET
def tile_set(request: HttpRequest, layers: str, z: int, x: int, y: int) -> HttpResponse:
    """Several layers in one tile (``/tiles/set/roads,places/…``): one request per position.

    An MVT is a list of layers, so the layers' own tiles (cached one by one, refused one by
    one) concatenate into one valid tile.
    """
    names = layers.split(",")
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names or len(names) > MAX_SET or len(set(names)) != len(names):
        return _error("unknown_layer", _("图层应为 /tiles/ 所列图层中不重复的 1–%(max)d 个，"
                                         "以逗号分隔") % {"max": MAX_SET}, 404)
    if not valid_tile(z, x, y):
        return _bad_tile(z, x, y)
    size = _size(request)
    if isinstance(size, JsonResponse):
        return size
    parts, statuses = [], []
    for name in names:
        got = _body(request, LAYERS[name], z, x, y, size)
        if isinstance(got, JsonResponse):
            return got
        parts.append(got[0])
        statuses.append(got[1])
    controls = [_cache_control(LAYERS[n]) for n in names]
    # The strictest rule of its layers: private beats no-cache beats an hour.
    control = min(controls, key=["private, no-cache", "no-cache",
                                 "public, max-age=3600"].index)
    status = "hit" if all(s == "hit" for s in statuses) else ",".join(statuses)
    return _answer(request, b"".join(parts), control, status)


@require_GET
def base(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """The offline basemap's layers (land use, water, roads, buildings, labels) in one tile."""
    return tile_set(request, ",".join(BASEMAP_LAYERS), z, x, y)


def _bad_tile(z: int, x: int, y: int) -> JsonResponse:
    return _error("bad_tile", _("瓦片 %(z)s/%(x)s/%(y)s 不存在（缩放级别 0–%(max)s，x 和 y 小于 "
                                "2 的缩放级别次方）") % {"z": z, "x": x, "y": y, "max": MAX_ZOOM},
                  404)


def _tilejson(request: HttpRequest, spec: TileLayer) -> dict[str, object]:
    url = request.build_absolute_uri(
        reverse("tiles:tile", args=[spec.name, 0, 0, 0])).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    bounds = layer_bounds(spec)
    doc: dict[str, object] = {
        "tilejson": "3.0.0", "name": spec.name, "description": str(spec.title),
        "scheme": "xyz", "format": "pbf", "tiles": [url],
        "minzoom": spec.minzoom, "maxzoom": spec.maxzoom,
        "basemap": spec.basemap,
        "vector_layers": [{"id": spec.name, "description": str(spec.title), "fields": spec.fields,
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
        return _error("unknown_layer", _("没有瓦片图层 %(layer)s，图层列表见 /tiles/")
                      % {"layer": layer}, 404)
    return JsonResponse(_tilejson(request, spec), json_dumps_params={"ensure_ascii": False})


# GDAL's MVT driver reads a tileset as a folder holding metadata.json and {z}/{x}/{y}.pbf:
# the folder here is /tiles/{layer}/. Past this zoom a layer's tiles only repeat the data.
METADATA_MAXZOOM = 16


@require_GET
def metadata(request: HttpRequest, layer: str) -> JsonResponse:
    """The tileset's ``metadata.json`` (MBTiles metadata keys, as GDAL's MVT driver reads)."""
    spec = LAYERS.get(layer)
    if spec is None:
        return _error("unknown_layer", _("没有瓦片图层 %(layer)s，图层列表见 /tiles/")
                      % {"layer": layer}, 404)
    doc = _tilejson(request, spec)
    maxzoom = max(spec.minzoom, min(spec.maxzoom, METADATA_MAXZOOM))
    layers = [{**v, "maxzoom": maxzoom} for v in doc["vector_layers"]]  # type: ignore[attr-defined]
    out: dict[str, object] = {
        "name": spec.name, "description": str(spec.title), "format": "pbf",
        "type": "baselayer" if spec.basemap else "overlay",
        "minzoom": str(spec.minzoom), "maxzoom": str(maxzoom),
        "json": json.dumps({"vector_layers": layers}, ensure_ascii=False),
    }
    if "bounds" in doc:
        out["bounds"] = ",".join(str(v) for v in doc["bounds"])  # type: ignore[attr-defined]
        out["center"] = ",".join(str(v) for v in doc["center"])  # type: ignore[attr-defined]
    return JsonResponse(out, json_dumps_params={"ensure_ascii": False})
