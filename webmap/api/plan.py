"""The grid editor's endpoints under /api/v1/plan/: state, live checks, split, merge, save."""

from __future__ import annotations

from typing import Any

import shapely.geometry
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.grid_edit import carve_new_grid, merge_grids, split_grid
from geo.analysis.rules import load_profile
from geo.models import Community, GridChangeset, ProposalDraft
from geo.services.access import require_in_scope
from geo.services.boundary_move import move_boundary_point
from geo.services.grid_edit import (
    Conflict,
    GridDraft,
    Rejected,
    renumber,
    revert_changeset,
    save_grids,
)
from geo.services.grid_edit import to_shapely as shapely_of
from geo.services.plan import (
    DraftCheck,
    EditorState,
    GridHistory,
    SavedState,
    check_drafts,
    editor_state,
    features,
    grid_history,
)
from geo.services.proposals import propose
from geo.services.text import say

from . import plan_input as body
from . import schemas as sch
from .errors import ApiError
from .params import parse
from .permissions import StaffInScope


class PlannerView(APIView):
    """Login, a scope and the grid-change permission; bodies bounded in vertices."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_gridunit"
    parser_classes = (body.BoundedJSONParser,)


def _community(request: Request, code: str) -> Community:
    """The community, once the user's scope is known to cover it (403 otherwise)."""
    require_in_scope(request.user, code, _("社区"))
    return get_object_or_404(Community, code=code)


def _drafts(grids: list[dict[str, Any]]) -> list[GridDraft]:
    return [GridDraft(g["id"], g["geometry"], g["name"], zone_type=g["zone_type"]) for g in grids]


def _conflict(exc: Conflict, message: str) -> ApiError:
    return ApiError("conflict", f"{message}：{', '.join(exc.changed)}", status_code=409,
                    extra={"grids": exc.changed, "current": features(exc.current)})


def _rejected(exc: Rejected, message: str) -> ApiError:
    reasons = "; ".join(str(f["message"]) for f in exc.findings[:5])
    return ApiError("topology", f"{message}：{reasons}", status_code=400,
                    extra={"findings": exc.findings})


def _saved(community: Community, changeset: GridChangeset | None) -> SavedState:
    return {**editor_state(community, load_profile(None)),
            "changeset": changeset.pk if changeset else None}


class CommunityState(PlannerView):
    """网格编辑 a community's boundary, its grids with versions, and the households range."""

    @extend_schema(responses={200: sch.typed(EditorState, "the community as the editor loads it")})
    def get(self, request: Request, code: str) -> Response:
        return Response(editor_state(_community(request, code), load_profile(None)))


class CheckDrafts(PlannerView):
    """检查 households per drafted grid and every finding, without saving anything."""

    @extend_schema(request=body.CheckBody,
                   responses={200: sch.typed(DraftCheck, "households, codes and findings")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.CheckBody, request.data)
        return Response(check_drafts(community, _drafts(data["grids"]), load_profile(None)))


class SplitGrid(PlannerView):
    """分割 the pieces of a grid cut along a line, largest first."""

    @extend_schema(request=body.SplitBody,
                   responses={200: sch.response(sch.obj({"pieces": sch.arr(
                       sch.GEOJSON_GEOMETRY)}), "the pieces, largest first")})
    def post(self, request: Request) -> Response:
        data = parse(body.SplitBody, request.data)
        pieces = split_grid(data["geometry"], data["line"])
        return Response({"pieces": [shapely.geometry.mapping(p) for p in pieces]})


class MergeGrids(PlannerView):
    """合并 the union of adjacent grids."""

    @extend_schema(request=body.MergeBody,
                   responses={200: sch.response(sch.obj({"geometry": sch.GEOJSON_GEOMETRY}),
                                                "the merged grid")})
    def post(self, request: Request) -> Response:
        data = parse(body.MergeBody, request.data)
        return Response({"geometry": shapely.geometry.mapping(merge_grids(data["geometries"]))})


class CarveGrid(PlannerView):
    """新建 a drawn grid clipped to the community, and what is left of the grids under it."""

    @extend_schema(request=body.CarveBody, responses={200: sch.response(sch.obj({
        "geometry": sch.GEOJSON_GEOMETRY, "others": sch.arr(sch.nullable(sch.GEOJSON_GEOMETRY))}),
        "the new grid and the others, None where one vanished")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.CarveBody, request.data)
        out = carve_new_grid(data["geometry"], shapely_of(community.geom), data["others"])
        return Response({"geometry": shapely.geometry.mapping(out.grid),
                         "others": [None if g is None else shapely.geometry.mapping(g)
                                    for g in out.others]})


class SaveGrids(PlannerView):
    """保存 the working copy atomically: 409 when someone saved first, 400 if it breaks tiling."""

    @extend_schema(request=body.SaveBody, responses={
        200: sch.typed(SavedState, "the saved state, with the changeset id"),
        409: sch.response(sch.GRID_CONFLICT, "someone saved these grids first")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.SaveBody, request.data)
        try:
            changeset = save_grids(community, data["base"], _drafts(data["grids"]),
                                   data["operation"] or "edit", request.user,
                                   load_profile(None), data["note"])
        except Conflict as exc:
            raise _conflict(exc, _("网格已被他人修改，请查看对方的版本后再保存")) from exc
        except Rejected as exc:
            raise _rejected(exc, _("保存后网格将不能完整覆盖社区")) from exc
        return Response(_saved(community, changeset))


class GridChanges(PlannerView):
    """修改记录 every saved change of one grid, newest first, with who and when (Beijing time)."""

    @extend_schema(responses={200: sch.typed(GridHistory, "the changes, newest first")})
    def get(self, request: Request, code: str) -> Response:
        require_in_scope(request.user, code, _("网格"))
        return Response(grid_history(code))


class RevertChangeset(PlannerView):
    """撤销 undo a saved changeset (as a new one); 409 when its grids changed again since."""

    @extend_schema(request=None, responses={
        200: sch.typed(SavedState, "the state after the revert, with the new changeset id"),
        409: sch.response(sch.GRID_CONFLICT, "the grids changed again since")})
    def post(self, request: Request, pk: int) -> Response:
        changeset = get_object_or_404(GridChangeset.objects.select_related("community"), pk=pk)
        require_in_scope(request.user, changeset.community.code, _("社区"))
        try:
            result = revert_changeset(changeset, request.user, load_profile(None))
        except Conflict as exc:
            raise _conflict(exc, _("这些网格之后又被修改过，请先撤销后来的修改")) from exc
        except Rejected as exc:
            raise _rejected(exc, _("撤销后网格将不能完整覆盖社区")) from exc
        return Response(_saved(changeset.community, result))


PROPOSAL = sch.obj({
    "grids": sch.arr(sch.obj({"geometry": sch.GEOJSON_GEOMETRY, "households": sch.NUM,
                              "zone_type": sch.STR})),
    "units": sch.INT, "status": sch.STR, "gap": sch.nullable(sch.NUM), "outside": sch.NUM,
    "reasons": sch.arr(sch.STR), "seconds": sch.NUM, "range": sch.arr(sch.NUM),
    "split_blocks": sch.BOOL})


class ProposeGrids(PlannerView):
    """建议划分 grids proposed along roads, water and walls; nothing is saved."""

    @extend_schema(request=body.ProposeBody,
                   responses={200: sch.response(PROPOSAL, "the proposed grids in reading order")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.ProposeBody, request.data)
        low, high = load_profile(None).grid_households
        lo, hi = data["min"] or low, data["max"] or high
        if lo > hi:
            raise ApiError("invalid_parameter", _("上限小于下限"), "max")
        result = propose(community, lo, hi, data["target"])
        plan = result.proposal
        return Response({
            "grids": [{"geometry": shapely.geometry.mapping(g), "households": round(h, 1),
                       "zone_type": kind}
                      for g, h, kind in zip(result.grids, result.households, result.kinds,
                                            strict=True)],
            "units": result.units, "status": plan.status, "gap": plan.gap,
            "outside": round(plan.outside, 1), "reasons": [say(r) for r in plan.reasons],
            "seconds": round(plan.seconds, 3), "range": [lo, hi],
            "split_blocks": result.split_blocks})


DRAFT = sch.obj({"id": sch.INT, "community": sch.STR, "note": sch.STR, "grids": sch.arr(
    sch.obj({"geometry": sch.GEOJSON_GEOMETRY, "households": sch.NUM, "zone_type": sch.STR}))})


class ProposalDraftView(PlannerView):
    """草稿 a kept proposal, to open in the editor (the grids themselves are unchanged)."""

    @extend_schema(responses={200: sch.response(DRAFT, "the draft's grids")})
    def get(self, request: Request, pk: int) -> Response:
        draft = get_object_or_404(ProposalDraft.objects.select_related("community"), pk=pk)
        require_in_scope(request.user, draft.community.code, _("社区"))
        return Response({"id": draft.pk, "community": draft.community.code,
                         "note": draft.note, "grids": draft.grids})


class MoveBoundaryPoint(PlannerView):
    """移动社区边界 a boundary point moves; the neighbour communities and their grids follow."""

    @extend_schema(request=body.BoundaryMoveBody, responses={
        200: sch.typed(SavedState, "the community after the move, with its changeset id"),
        409: sch.response(sch.GRID_CONFLICT, "someone changed the community or its grids")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.BoundaryMoveBody, request.data)
        try:
            changesets = move_boundary_point(community, data["version"], data["base"],
                                             data["start"], data["end"], request.user,
                                             load_profile(None))
        except Conflict as exc:
            raise _conflict(exc, _("社区或其网格已被他人修改，请重新加载后再移动边界")) from exc
        except Rejected as exc:
            raise _rejected(exc, _("移动后网格将不能完整覆盖社区")) from exc
        community.refresh_from_db()
        mine = next((c for c in changesets if c.community_id == community.pk), None)
        return Response({**_saved(community, mine),
                         "communities": [c.community.code for c in changesets]})


class RenumberGrids(PlannerView):
    """重新编号 codes 001, 002, … in reading order, as one changeset."""

    @extend_schema(request=body.RenumberBody, responses={
        200: sch.typed(SavedState, "the state after renumbering, with the changeset id"),
        409: sch.response(sch.GRID_CONFLICT, "someone changed the grids first")})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = parse(body.RenumberBody, request.data)
        try:
            changeset = renumber(community, data["base"], request.user)
        except Conflict as exc:
            raise _conflict(exc, _("网格已被他人修改，请查看对方的版本后再编号")) from exc
        return Response(_saved(community, changeset))
