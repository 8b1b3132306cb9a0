"""OGC API – Features at /ogcapi/: landing page, conformance, collections, items, schemas.

JSON for programs (GDAL, QGIS, OWSLib) and HTML for people, chosen by ``f`` or ``Accept``.
Errors are the API's error body with OGC's ``code`` and ``description`` beside it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from geo.services.errors import error_body

from . import display, query
from .access import Refused, reader_scope, visible
from .collections import COLLECTIONS, DATE, DATETIME, Collection
from .crs import CRS84, DEFAULT, SUPPORTED
from .params import MAX_LIMIT, BadParameter, items_query

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
SCHEMA = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]


def wants_html(request: HttpRequest) -> bool:
    """``f=html``, or a browser's Accept without ``f`` (programs ask for JSON)."""
    f = request.GET.get("f", "")
    if f:
        return f == "html"
    accept = request.headers.get("Accept", "")
    return HTML in accept and "json" not in accept


def url(request: HttpRequest, name: str, *args: Any, **query_: str) -> str:
    """The absolute URL of route ``ogcapi:name``, with a query string when given."""
    href = request.build_absolute_uri(reverse(f"ogcapi:{name}", args=args))
    return f"{href}?{urlencode(query_)}" if query_ else href


def link(href: str, rel: str, type_: str, title: str = "", **extra: Any) -> dict[str, Any]:
    out = {"href": href, "rel": rel, "type": type_, **extra}
    if title:
        out["title"] = title
    return out


def error(code: str, message: str, status: int, field: str | None = None) -> JsonResponse:
    """The API's error body, with OGC's exception fields (``code``, ``description``)."""
    body = {"code": code, "description": message, **error_body(code, message, field)}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def answer(request: HttpRequest, data: dict[str, Any], template: str,
           content_type: str = JSON, **context: Any) -> HttpResponse:
    """``data`` as JSON, or the HTML page ``template`` showing it."""
    if wants_html(request):
        tiles = request.build_absolute_uri(reverse("tiles:index")) + "grids/{z}/{x}/{y}.pbf"
        generic = template == "landing.html" and "title" not in data
        return render(request, f"webmap/ogcapi/{template}", {
            "data": data, "json_url": _same(request, f="json"), "tiles_url": tiles,
            "root": request.build_absolute_uri(reverse("ogcapi:landing")),
            "pretty": json.dumps(data, indent=2, ensure_ascii=False) if generic else "",
            **context})
    return JsonResponse(data, content_type=content_type,
                        json_dumps_params={"ensure_ascii": False})


def _same(request: HttpRequest, drop: str = "", **changes: str) -> str:
    """This request's URL with parameters changed (and ``drop`` left out)."""
    q = request.GET.copy()
    q.pop(drop, None)
    for k, v in changes.items():
        q[k] = v
    return request.build_absolute_uri(request.path) + "?" + q.urlencode()


def _alternates(request: HttpRequest, json_type: str = JSON) -> list[dict[str, Any]]:
    html = wants_html(request)
    return [link(_same(request, f="html" if html else "json"), "self",
                 HTML if html else json_type, _("本页")),
            link(_same(request, f="json" if html else "html"), "alternate",
                 json_type if html else HTML, _("JSON") if html else _("网页"))]


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """The landing page: where the API's description, conformance and data are."""
    data = {
        "title": _("网格 wangge：城市基层党建网格数据"),
        "description": _("社区、网格、党群服务中心等图层，按 OGC API – Features 和 Tiles 提供"),
        "links": [
            *_alternates(request),
            link(url(request, "openapi"), "service-desc", OPENAPI, _("接口定义（OpenAPI 3.0）")),
            link(url(request, "openapi-html"), "service-doc", HTML, _("接口说明")),
            link(url(request, "conformance"), "conformance", JSON, _("符合的标准")),
            link(url(request, "conformance"), REL + "conformance", JSON, _("符合的标准")),
            link(url(request, "collections"), "data", JSON, pgettext("ogc", "图层")),
            link(url(request, "collections"), REL + "data", JSON, pgettext("ogc", "图层")),
            link(url(request, "tile-matrix-sets"), REL + "tiling-schemes", JSON,
                 _("瓦片矩阵集")),
        ],
    }
    return answer(request, data, "landing.html")


@require_GET
def conformance(request: HttpRequest) -> HttpResponse:
    """The conformance classes this server implements."""
    return answer(request, {"conformsTo": CONFORMANCE}, "conformance.html")


def _collection_json(request: HttpRequest, c: Collection) -> dict[str, Any]:
    bbox = query.extent(c)
    out: dict[str, Any] = {
        "id": c.id, "title": str(c.title), "description": str(c.description),
        "itemType": "feature",
        "crs": list(SUPPORTED), "storageCrs": CRS84,
        "links": [
            link(url(request, "collection", c.id), "self", JSON, str(c.title)),
            link(url(request, "collection", c.id, f="html"), "alternate", HTML, _("网页")),
            link(url(request, "items", c.id), "items", GEOJSON, _("要素")),
            link(url(request, "items", c.id, f="html"), "items", HTML, _("要素（网页）")),
            link(url(request, "schema", c.id), "describedby", SCHEMA, _("要素的属性和类型")),
            link(url(request, "schema", c.id), REL + "schema", SCHEMA, _("要素的属性和类型")),
            link(url(request, "queryables", c.id), REL + "queryables", SCHEMA,
                 _("可筛选的属性")),
        ],
    }
    if c.tiles:
        out["links"].append(link(url(request, "tilesets", c.id), REL + "tilesets-vector",
                                 JSON, _("矢量瓦片")))
    if bbox:
        out["extent"] = {"spatial": {"bbox": [bbox], "crs": CRS84}}
    if c.temporal:
        out.setdefault("extent", {})["temporal"] = {
            "interval": [[None, None]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return out


def _collection_or_refusal(request: HttpRequest, cid: str
                           ) -> tuple[Collection, str] | JsonResponse:
    c = COLLECTIONS.get(cid)
    if c is None:
        return error("not_found", _("没有图层 %(id)s；可用：%(ids)s") % {
            "id": cid, "ids": ", ".join(x.id for x in visible(request.user))}, 404)
    try:
        return c, reader_scope(request.user, c)
    except Refused as exc:
        return error(exc.code, exc.message, exc.status)


@require_GET
def collections(request: HttpRequest) -> HttpResponse:
    """The collections this reader may see (staff layers only for staff)."""
    data = {"links": _alternates(request),
            "collections": [_collection_json(request, c) for c in visible(request.user)]}
    return answer(request, data, "collections.html")


@require_GET
def collection(request: HttpRequest, cid: str) -> HttpResponse:
    """One collection's description, extent and links."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    return answer(request, _collection_json(request, found[0]), "collection.html")


def _property_schema(kind: str, title: str) -> dict[str, Any]:
    if kind in (DATETIME, DATE):
        return {"type": "string", "format": kind, "title": title}
    return {"type": kind, "title": title}


def _schema(request: HttpRequest, c: Collection, names: list[str], route: str
            ) -> dict[str, Any]:
    props: dict[str, Any] = {
        "geometry": {"format": f"geometry-{c.geometry.lower()}",
                     "x-ogc-role": "primary-geometry"},
    }
    for name in names:
        props[name] = _property_schema(c.properties[name], display.label(c, name))
    return {"$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": url(request, route, c.id), "type": "object", "title": str(c.title),
            "properties": props, "additionalProperties": route == "schema"}


@require_GET
def schema(request: HttpRequest, cid: str) -> HttpResponse:
    """A JSON schema of the collection's features: every property with its type."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    c = found[0]
    return JsonResponse(_schema(request, c, list(c.properties), "schema"), content_type=SCHEMA,
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def queryables(request: HttpRequest, cid: str) -> HttpResponse:
    """The properties a client may filter the items on (``?name=value``)."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    c = found[0]
    data = _schema(request, c, list(c.queryables), "queryables")
    if wants_html(request):
        return answer(request, data, "schema.html", collection=c)
    return JsonResponse(data, content_type=SCHEMA, json_dumps_params={"ensure_ascii": False})


def _page_links(request: HttpRequest, page: query.Page, q: query.ItemsQuery
                ) -> list[dict[str, Any]]:
    links = _alternates(request, GEOJSON)
    kind = HTML if wants_html(request) else GEOJSON
    forward = q.before is None
    if page.last_id is not None and (page.more if forward else True):
        links.append(link(_same(request, "before", after=str(page.last_id)), "next", kind,
                          _("下一页")))
    if page.first_id is not None and (q.after is not None if forward else page.more):
        links.append(link(_same(request, "after", before=str(page.first_id)), "prev", kind,
                          _("上一页")))
    links.append(link(url(request, "collection", q.collection.id), "collection", JSON,
                      str(q.collection.title)))
    return links


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


@require_GET
def items(request: HttpRequest, cid: str) -> HttpResponse:
    """A page of the collection's features: ``limit``, ``bbox``, ``datetime``, filters, CRS."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    c, scope = found
    try:
        q = items_query(request.GET, c, scope)
    except BadParameter as exc:
        return error("invalid_parameter", exc.message, 400, exc.name)
    if wants_html(request):  # the page draws them on a lon/lat map
        q.crs = DEFAULT
    expected = query.estimate(q)
    page = query.fetch_page(q, filter_first=query.filtered(q)
                            and expected <= query.FILTER_FIRST_LIMIT)
    matched = query.count_matched(q, expected)
    head = {"type": "FeatureCollection", "timeStamp": _stamp(),
            "numberReturned": len(page.features)}
    if matched is not None:
        head["numberMatched"] = matched
    head["links"] = _page_links(request, page, q)
    if wants_html(request):
        features = [json.loads(f) for f in page.features]
        headings, rows = display.table(c, features)
        return render(request, "webmap/ogcapi/items.html", {
            "data": head, "collection": c, "headings": headings, "rows": rows,
            "json_url": _same(request, f="json"),
            "geojson": {"type": "FeatureCollection", "features": features}})
    # The features are GeoJSON text from PostGIS: joined, not parsed and written again.
    prefix = json.dumps(head, ensure_ascii=False)[:-1]
    body = f'{prefix},"features":[{",".join(page.features)}]}}'
    resp = HttpResponse(body.encode(), content_type=GEOJSON)
    resp["Content-Crs"] = q.crs.header
    return resp


@require_GET
def item(request: HttpRequest, cid: str, fid: str) -> HttpResponse:
    """One feature by its id."""
    found = _collection_or_refusal(request, cid)
    if isinstance(found, JsonResponse):
        return found
    c, scope = found
    params = {k: str(v) for k, v in request.GET.items() if k in ("crs", "f")}
    try:
        q = items_query(params, c, scope)
    except BadParameter as exc:
        return error("invalid_parameter", exc.message, 400, exc.name)
    text = query.fetch_one(q, int(fid)) if fid.isdigit() and len(fid) < 19 else None
    if text is None:
        return error("not_found", _("图层 %(id)s 中没有要素 %(fid)s") % {"id": c.id, "fid": fid},
                     404)
    feature = json.loads(text)
    feature["links"] = [
        *_alternates(request, GEOJSON),
        link(url(request, "collection", c.id), "collection", JSON, str(c.title))]
    if wants_html(request):
        return render(request, "webmap/ogcapi/item.html", {
            "data": feature, "collection": c, "feature": feature,
            "fields": display.fields(c, feature),
            "json_url": _same(request, f="json"),
            "geojson": {"type": "FeatureCollection", "features": [feature]}})
    resp = JsonResponse(feature, content_type=GEOJSON, json_dumps_params={"ensure_ascii": False})
    resp["Content-Crs"] = q.crs.header
    return resp


__all__ = ["MAX_LIMIT", "collection", "collections", "conformance", "item", "items", "landing",
           "queryables", "schema"]
