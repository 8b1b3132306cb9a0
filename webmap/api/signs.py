"""指引牌 direction signs to the licensed centers serving a scope: JSON for the map, CSV or
XLSX for procurement (one row per sign, with the text to print)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from openpyxl import Workbook
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.cells import as_text_cells, inert
from geo.models import DirectionSign, SignStatus
from geo.models.audit import acting_as
from geo.models.base import StaleVersion
from geo.services.access import object_code, require_in_scope
from geo.services.signs import save_plan, scope_signs, stored_json

from . import schemas as sch
from .errors import ApiError, stale
from .params import ScopedParams, parse
from .permissions import StaffInScope

SIGNS = sch.obj({"scope": sch.STR, "reach_m": sch.NUM, "signs": sch.INT,
                 "centers": sch.arr(sch.obj({"id": sch.INT, "name": sch.STR,
                                             "households_served": sch.INT,
                                             "households_guided": sch.INT,
                                             "signs": sch.arr(sch.OBJ)}))})
# The procurement sheet's columns: (key, header).
COLUMNS = [("center", gettext_lazy("服务中心")), ("status", gettext_lazy("状态")),
           ("text", gettext_lazy("牌面文字")),
           ("direction", gettext_lazy("箭头方向")), ("route_bearing_deg",
                                                    gettext_lazy("箭头方位角（度）")),
           ("walk_m", gettext_lazy("步行距离（米）")), ("hours", gettext_lazy("开放时间")),
           ("road", gettext_lazy("所在道路")), ("lon", gettext_lazy("经度")),
           ("lat", gettext_lazy("纬度")), ("bearing_deg", gettext_lazy("中心方位角（度）")),
           ("households", gettext_lazy("引导户数"))]


class SignParams(ScopedParams):
    output = serializers.ChoiceField(choices=["json", "csv", "xlsx"], required=False,
                                     default="json")


def _rows(out: dict[str, Any]) -> list[list[Any]]:
    """Stored signs with their status, then the plan's new sites not yet saved."""
    unsaved = str(gettext_lazy("新建议（未保存）"))
    rows = []
    for c in out["centers"]:
        for s in c["stored"]:
            rows.append({**s, "center": c["name"], "status": s["status_label"],
                         "hours": c["opening_hours"]})
        for s in c["signs"]:
            rows.append({**s, "center": c["name"], "status": unsaved})
    return [[r[k] for k, _h in COLUMNS] for r in rows]


class Signs(APIView):
    """指引牌 sign sites on main roads where the walks of a center's households join them."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_servicecenter"

    @extend_schema(parameters=[SignParams], responses={200: sch.response(
        SIGNS, "stored signs and new sites per center; CSV or XLSX with output=csv|xlsx")})
    def get(self, request: Request) -> Any:
        p = parse(SignParams, request.query_params, request.user)
        out = scope_signs(p["scope"], p["profile"])
        name = f"signs-{p['scope'] or 'all'}"
        if p["output"] == "csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow([str(h) for _k, h in COLUMNS])
            w.writerows([[inert(v) for v in row] for row in _rows(out)])
            resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return resp
        if p["output"] == "xlsx":
            wb = Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = str(gettext_lazy("指引牌"))
            ws.append([str(h) for _k, h in COLUMNS])
            for row in _rows(out):
                ws.append(row)
            for cells in ws.iter_rows(min_row=2):
                as_text_cells(cells)
            buf2 = io.BytesIO()
            wb.save(buf2)
            resp = HttpResponse(buf2.getvalue(), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return resp
        return Response(out)


class SignSaveBody(ScopedParams):
    fingerprint = serializers.RegexField(r"^[0-9a-f]{16}$",
                                         help_text="the plan's fingerprint, as reviewed")


class SignSave(APIView):
    """Store the reviewed plan's new sites as proposals (POST); 409 when the data changed."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.add_directionsign"

    @extend_schema(request=SignSaveBody, responses={
        200: sch.response(sch.PAIRING_SAVED, "how many proposals were stored"),
        409: sch.response(sch.PAIRING_STALE, "the data changed: compute and review again")})
    def post(self, request: Request) -> Response:
        p = parse(SignSaveBody, request.data, request.user)
        out = scope_signs(p["scope"], p["profile"])
        if p["fingerprint"] != out["fingerprint"]:
            raise ApiError("conflict", _("数据已变化，请重新计算并核对后再保存"),
                           status_code=409, extra={"fingerprint": out["fingerprint"]})
        with acting_as(request.user):
            saved = save_plan(out)
        return Response({"saved": saved, "fingerprint": out["fingerprint"]})


class SignAdvanceBody(serializers.Serializer):
    to = serializers.ChoiceField(choices=[SignStatus.APPROVED, SignStatus.INSTALLED,
                                          SignStatus.REMOVED])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 default="")
    version = serializers.IntegerField(min_value=1)


class SignAdvance(APIView):
    """Approve, mark installed or remove a sign (POST); 409 when it changed since read."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_directionsign"

    @extend_schema(request=SignAdvanceBody, responses={
        200: sch.response(sch.obj({"id": sch.INT, "status": sch.STR, "version": sch.INT}),
                          "moved"),
        409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        sign = DirectionSign.objects.filter(pk=pk).select_related(
            "center__community", "center__street__district").first()
        if sign is None:
            raise ApiError("not_found", _("没有此指引牌"), status_code=404)
        require_in_scope(request.user, object_code(sign), _("指引牌"))
        p = parse(SignAdvanceBody, request.data)
        try:
            with acting_as(request.user):
                sign.advance(p["to"], p["note"], timezone.localdate(), p["version"])
        except StaleVersion as exc:
            raise stale(exc) from exc
        except ValidationError as exc:
            raise ApiError(exc.code or "invalid", exc.messages[0]) from exc
        return Response(stored_json(sign))
