"""The OpenAPI 3.0 description of /ogcapi/ (``service-desc``) and its page (``service-doc``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from .access import visible
from .crs import CRS84, GCJ02, SUPPORTED
from .params import DEFAULT_LIMIT, MAX_LIMIT

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def _param(name: str, where: str, schema: dict[str, Any], description: str,
           required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": schema,
            "description": description, **extra}


def _ok(description: str, media: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {media: {"schema": {"type": "object"}}}},
            "400": {"description": _("参数有误")}, "404": {"description": _("没有此资源")}}


def build(request: HttpRequest) -> dict[str, Any]:
    """The OpenAPI document for ``request``'s reader (staff see their staff collections)."""
    root = request.build_absolute_uri(reverse("ogcapi:landing")).rstrip("/")
    crs_list = list(SUPPORTED)
    limit = _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                      "default": DEFAULT_LIMIT},
                   _("每页要素数（超过上限按上限）"), style="form", explode=False)
    common = [
        limit,
        _param("bbox", "query", {"type": "array", "minItems": 4, "maxItems": 6,
                                 "items": {"type": "number"}},
               _("范围：最小x,最小y,最大x,最大y（bbox-crs 的轴序）"), style="form",
               explode=False),
        _param("bbox-crs", "query", {"type": "string", "format": "uri", "enum": crs_list,
                                     "default": CRS84}, _("bbox 的坐标系")),
        _param("crs", "query", {"type": "string", "format": "uri", "enum": crs_list,
                                "default": CRS84}, _("输出坐标系")),
        _param("datetime", "query", {"type": "string"},
               _("更新时间（RFC 3339 时间或区间，如 2025-01-01T00:00:00Z/..）")),
        _param("after", "query", {"type": "integer"}, _("下一页的键（见 next 链接）")),
        _param("before", "query", {"type": "integer"}, _("上一页的键（见 prev 链接）")),
        _param("f", "query", {"type": "string", "enum": ["json", "html"]}, _("格式")),
    ]
    paths: dict[str, Any] = {
        "/": {"get": {"summary": _("入口"), "operationId": "getLandingPage",
                      "responses": _ok(_("入口页"), "application/json")}},
        "/conformance": {"get": {"summary": _("符合的标准"), "operationId": "getConformance",
                                 "responses": _ok(_("标准列表"), "application/json")}},
        "/collections": {"get": {"summary": pgettext("ogc", "图层"),
                                 "operationId": "getCollections",
                                 "responses": _ok(_("图层列表"), "application/json")}},
        "/tileMatrixSets": {"get": {"summary": _("瓦片矩阵集"), "operationId": "getTileMatrixSets",
                                    "responses": _ok(_("瓦片矩阵集"), "application/json")}},
    }
    for c in visible(request.user):
        base = f"/collections/{c.id}"
        filters = [_param(name, "query", {"type": "string" if kind in ("date", "date-time")
                                          else kind}, _("只要此属性等于给定值的要素"))
                   for name, kind in c.properties.items() if name in c.queryables]
        paths[base] = {"get": {"summary": str(c.title), "operationId": f"describe_{c.id}",
                               "responses": _ok(str(c.description), "application/json")}}
        paths[f"{base}/items"] = {"get": {
            "summary": _("%(title)s：要素") % {"title": c.title},
            "operationId": f"getFeatures_{c.id}", "parameters": [*common, *filters],
            "responses": _ok(_("要素集合（GeoJSON）"), "application/geo+json")}}
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "summary": _("%(title)s：一个要素") % {"title": c.title},
            "operationId": f"getFeature_{c.id}",
            "parameters": [_param("featureId", "path", {"type": "integer"}, _("要素编号"),
                                  required=True), common[3]],
            "responses": _ok(_("要素（GeoJSON）"), "application/geo+json")}}
        paths[f"{base}/queryables"] = {"get": {
            "summary": _("可筛选的属性"), "operationId": f"getQueryables_{c.id}",
            "responses": _ok(_("JSON 模式"), "application/schema+json")}}
    about = _("社区、网格、党群服务中心等图层（OGC API – Features 第 1、2 部分，Tiles）。"
              "GCJ-02 坐标系为本服务的扩展：%(uri)s") % {"uri": GCJ02}
    return {"openapi": "3.0.3",
            "info": {"title": _("网格 wangge：OGC API"), "version": "1.0.0",
                     "description": about},
            "servers": [{"url": root}], "paths": paths}


@require_GET
def document(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.0 document."""
    return JsonResponse(build(request), content_type=OPENAPI,
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The API described for people: every path with what it does and its parameters."""
    doc = build(request)
    return render(request, "webmap/ogcapi/api.html", {"doc": doc, "paths": [
        (path, op["get"]) for path, op in doc["paths"].items()]})
