"""The grid editor (/plan/) and its JSON endpoints: state, live checks, split, merge, save."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.analysis.grid_edit import GridEditError, carve_new_grid, merge_grids, split_grid
from geo.analysis.rules import load_profile
from geo.models import Community, GridChange, GridChangeset, GridOperation, GridUnit, Street
from geo.services.access import own_scope, require_in_scope
from geo.services.errors import classify, describe, error_body
from geo.services.grid_edit import (
    Conflict,
    GridDraft,
    Rejected,
    findings_for,
    grid_feature,
    next_codes,
    recount,
    revert_changeset,
    save_grids,
    to_shapely,
)

# Bounds of one editor request: vertices per geometry, per drawn line and in the whole body.
# A community's whole working copy stays far below them; without them one request of
# 12 grids × 20,000 vertices kept a worker busy for 10 s.
MAX_VERTICES = 20_000
MAX_LINE_VERTICES = 1_000
MAX_REQUEST_VERTICES = 60_000
MAX_TEXT = 200


class BadInput(Exception):
    """A request the editor should never send: answered with 400 and the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def error(code: str, message: str, status: int, field: str | None = None,
          **extra: Any) -> JsonResponse:
    """The API's one error shape, with extra top-level keys (current grids, findings)."""
    return JsonResponse({**error_body(code, message, field), **extra}, status=status)


def domain_error(exc: Exception) -> JsonResponse:
    """A domain exception answered as every JSON door answers it (geo.services.errors)."""
    code, status = classify(exc)
    return error(code, describe(exc), status)


def planner_api(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """Login and the grid-change permission, JSON bodies parsed, input errors as 400."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return error("not_authenticated", "请先登录 please log in", 401)
        if not request.user.has_perm("geo.change_gridunit"):
            return error("forbidden", "没有编辑网格的权限 you may not edit grids", 403)
        body: dict[str, Any] = {}
        if request.method == "POST":
            try:
                # NaN and Infinity are not JSON; Python accepts them unless told not to.
                body = json.loads(request.body or b"{}", parse_constant=_not_json)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return error("bad_json", "请求不是有效的 JSON the request body is not JSON", 400)
            if not isinstance(body, dict):
                return error("bad_json", "请求应为 JSON 对象 the body must be a JSON object", 400)
            vertices = count_positions(body)
            if vertices > MAX_REQUEST_VERTICES:
                return error("too_large", f"请求共有 {vertices} 个顶点，上限 "
                             f"{MAX_REQUEST_VERTICES} the request has {vertices} vertices; "
                             f"at most {MAX_REQUEST_VERTICES}", 400)
        try:
            return view(request, body, *args, **kwargs)
        except PermissionDenied as exc:
            return error("forbidden", str(exc), 403)
        except BadInput as exc:
            return error("invalid_parameter", exc.message, 400, field=exc.field)
        except GridEditError as exc:
            return error(exc.code, exc.message, 400)
    return wrapped


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def count_positions(value: Any) -> int:
    """How many coordinate positions (lists of numbers) a parsed JSON body holds."""
    stack, n = [value], 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if item and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                            for v in item):
                n += 1
            else:
                stack.extend(item)
    return n


def text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    """A short single-line text: no control characters (NUL breaks PostgreSQL text)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise BadInput(field, f"{field} 应为不超过 {limit} 字的文字 must be text of at most "
                       f"{limit} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise BadInput(field, f"{field} 含有控制字符 contains control characters")
    return value


def geometry(value: Any, field: str, kinds: tuple[str, ...]) -> BaseGeometry:
    """A GeoJSON geometry of one of ``kinds`` in WGS84, valid and of bounded size."""
    if not isinstance(value, dict):
        raise BadInput(field, f"{field} 应为 GeoJSON 几何 must be a GeoJSON geometry")
    try:
        geom = shapely.geometry.shape(value)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise BadInput(field, f"{field} 不是有效的 GeoJSON is not valid GeoJSON: {exc}") from exc
    if geom.geom_type not in kinds:
        raise BadInput(field, f"{field} 应为 {'/'.join(kinds)}，收到 {geom.geom_type}")
    limit = MAX_LINE_VERTICES if kinds == ("LineString",) else MAX_VERTICES
    if geom.is_empty or shapely.get_num_coordinates(geom) > limit:
        raise BadInput(field, f"{field} 为空或顶点过多 is empty or has over {limit} vertices")
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise BadInput(field, f"{field} 坐标应为有限数 coordinates must be finite numbers")
    w, s, e, n = geom.bounds
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise BadInput(field, f"{field} 坐标应为 WGS84 经纬度 coordinates must be WGS84 lon/lat")
    return geom if geom.is_valid or geom.geom_type == "LineString" else shapely.make_valid(geom)


def _community(request: HttpRequest, code: str) -> Community:
    """The community, once the user's scope is known to cover it (403 otherwise)."""
    require_in_scope(request.user, code, "社区 community")
    return get_object_or_404(Community, code=code)


def _drafts(body: dict[str, Any]) -> list[GridDraft]:
    grids = body.get("grids")
    if not isinstance(grids, list) or not grids:
        raise BadInput("grids", "grids 应为非空列表 must be a non-empty list")
    drafts = []
    for i, item in enumerate(grids):
        if not isinstance(item, dict):
            raise BadInput(f"grids[{i}]", "每个网格应为对象 each grid must be an object")
        pk = item.get("id")
        if pk is not None and not isinstance(pk, int):
            raise BadInput(f"grids[{i}].id", "id 应为整数 must be an integer")
        name = text(item.get("name") or "", f"grids[{i}].name", 100)
        drafts.append(GridDraft(pk, geometry(item.get("geometry"), f"grids[{i}].geometry",
                                             ("Polygon", "MultiPolygon")), name))
    return drafts


def _state(community: Community) -> dict[str, Any]:
    grids = list(GridUnit.objects.filter(community=community).order_by("code"))
    low, high = load_profile(None).grid_households
    return {
        "community": {"code": community.code, "name": community.name,
                      "households": community.households,
                      "geometry": shapely.geometry.mapping(to_shapely(community.geom))},
        "grids": {"type": "FeatureCollection", "features": [grid_feature(g) for g in grids]},
        "base": {str(g.pk): g.version for g in grids},
        "households_range": [low, high],
    }


@require_GET
@login_required
@permission_required("geo.change_gridunit", raise_exception=True)
def editor(request: HttpRequest) -> HttpResponse:
    """The grid editor page."""
    scope = own_scope(request.user)
    # The picker lists only what the planner may edit; the endpoints refuse the rest.
    streets = (Street.objects.filter(code__startswith=scope[:9]).order_by("code")
               .prefetch_related(Prefetch("communities", Community.objects.filter(
                   code__startswith=scope).order_by("code"))))
    return render(request, "webmap/plan.html", {"streets": streets})


@require_GET
@planner_api
def community_state(request: HttpRequest, body: dict[str, Any], code: str) -> JsonResponse:
    """The community's boundary, grids with versions, and the households range."""
    return JsonResponse(_state(_community(request, code)))


@require_POST
@planner_api
def check(request: HttpRequest, body: dict[str, Any], code: str) -> JsonResponse:
    """Households per drafted grid and every finding, without saving anything."""
    community = _community(request, code)
    drafts = _drafts(body)
    current = list(GridUnit.objects.filter(community=community))
    by_id = {g.pk: g.code for g in current}
    geoms = [d.geom for d in drafts]
    households, estimated = recount(community, geoms, current)
    kept = {by_id[d.id] for d in drafts if d.id in by_id}
    fresh = iter(next_codes(community, kept, sum(1 for d in drafts if d.id not in by_id)))
    codes = [by_id[d.id] if d.id in by_id else next(fresh) for d in drafts]
    return JsonResponse({"households": households, "estimated": estimated, "codes": codes,
                         "findings": findings_for(community, codes, geoms, households,
                                                  load_profile(None))})


@require_POST
@planner_api
def split(request: HttpRequest, body: dict[str, Any]) -> JsonResponse:
    """The pieces of a grid cut along a line, largest first."""
    grid = geometry(body.get("geometry"), "geometry", ("Polygon", "MultiPolygon"))
    line = geometry(body.get("line"), "line", ("LineString",))
    assert isinstance(line, LineString)
    return JsonResponse({"pieces": [shapely.geometry.mapping(p) for p in split_grid(grid, line)]})


@require_POST
@planner_api
def merge(request: HttpRequest, body: dict[str, Any]) -> JsonResponse:
    """The union of adjacent grids."""
    items = body.get("geometries")
    if not isinstance(items, list):
        raise BadInput("geometries", "geometries 应为列表 must be a list")
    geoms = [geometry(g, f"geometries[{i}]", ("Polygon", "MultiPolygon"))
             for i, g in enumerate(items)]
    return JsonResponse({"geometry": shapely.geometry.mapping(merge_grids(geoms))})


@require_POST
@planner_api
def carve(request: HttpRequest, body: dict[str, Any], code: str) -> JsonResponse:
    """A drawn grid clipped to the community, and what is left of the grids under it."""
    community = _community(request, code)
    drawn = geometry(body.get("geometry"), "geometry", ("Polygon", "MultiPolygon"))
    items = body.get("others")
    if not isinstance(items, list):
        raise BadInput("others", "others 应为列表 must be a list")
    others = [geometry(g, f"others[{i}]", ("Polygon", "MultiPolygon"))
              for i, g in enumerate(items)]
    out = carve_new_grid(drawn, to_shapely(community.geom), others)
    return JsonResponse({"geometry": shapely.geometry.mapping(out.grid),
                         "others": [None if g is None else shapely.geometry.mapping(g)
                                    for g in out.others]})


@require_POST
@planner_api
def save(request: HttpRequest, body: dict[str, Any], code: str) -> JsonResponse:
    """Save the working copy atomically: 409 when someone saved first, 400 when it breaks tiling."""
    community = _community(request, code)
    raw_base = body.get("base")
    if not isinstance(raw_base, dict):
        raise BadInput("base", "base 应为 {id: version} must map grid ids to versions")
    try:
        base = {int(k): int(v) for k, v in raw_base.items()}
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadInput("base", "base 的键和值应为整数 keys and values must be integers") from exc
    operation = str(body.get("operation") or "edit")
    if operation not in GridOperation.values:
        raise BadInput("operation", f"operation 应为 {', '.join(GridOperation.values)}")
    note = text(body.get("note") or "", "note")
    try:
        changeset = save_grids(community, base, _drafts(body), operation, request.user,
                               load_profile(None), note)
    except Conflict as exc:
        return error("conflict", "网格已被他人修改，请查看对方的版本后再保存 someone saved "
                     f"these grids first: {', '.join(exc.changed)}", 409,
                     grids=exc.changed,
                     current={"type": "FeatureCollection", "features": exc.current})
    except Rejected as exc:
        return error("topology", "保存后网格将不能完整覆盖社区 the grids would not tile the "
                     "community: " + "; ".join(f["message"] for f in exc.findings[:5]), 400,
                     findings=exc.findings)
    state = _state(community)
    state["changeset"] = changeset.pk if changeset else None
    return JsonResponse(state)


@require_GET
@planner_api
def history(request: HttpRequest, body: dict[str, Any], code: str) -> JsonResponse:
    """Every saved change of one grid (by code), newest first, with who and when."""
    require_in_scope(request.user, code, "网格 grid")
    changes = (GridChange.objects.filter(code=code)
               .select_related("changeset", "changeset__user")
               .annotate(reverted=Exists(GridChangeset.objects.filter(reverts=OuterRef("changeset"))))
               .order_by("-changeset__created_at", "-id"))
    return JsonResponse({"code": code, "changes": [{
        "changeset": c.changeset_id, "operation": c.changeset.operation,
        "operation_label": c.changeset.get_operation_display(),
        "user": c.changeset.user.get_username() if c.changeset.user else None,
        # Beijing time with its offset: the page shows the clock people read.
        "at": timezone.localtime(c.changeset.created_at).isoformat(),
        "before_households": c.before_households, "after_households": c.after_households,
        "before_version": c.before_version, "after_version": c.after_version,
        "note": c.changeset.note,
        "reverted": c.reverted,
    } for c in changes[:200]]})


@require_POST
@planner_api
def revert(request: HttpRequest, body: dict[str, Any], pk: int) -> JsonResponse:
    """Undo a saved changeset (a new changeset); 409 when its grids changed again since."""
    changeset = get_object_or_404(GridChangeset.objects.select_related("community"), pk=pk)
    require_in_scope(request.user, changeset.community.code, "社区 community")
    try:
        result = revert_changeset(changeset, request.user, load_profile(None))
    except Conflict as exc:
        return error("conflict", "这些网格之后又被修改过，请先撤销后来的修改 these grids changed "
                     f"again since: {', '.join(exc.changed)}", 409, grids=exc.changed,
                     current={"type": "FeatureCollection", "features": exc.current})
    except Rejected as exc:
        return error("topology", "撤销后网格将不能完整覆盖社区 reverting would break the "
                     "tiling", 400, findings=exc.findings)
    state = _state(changeset.community)
    state["changeset"] = result.pk if result else None
    return JsonResponse(state)
