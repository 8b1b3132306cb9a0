"""指引牌 direction signs to the licensed centers serving a scope: JSON for the map, CSV or
XLSX for procurement (one row per sign, with the text to print)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from openpyxl import Workbook
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.cells import as_text_cells, inert
from geo.services.signs import scope_signs

from . import schemas as sch
from .params import ScopedParams, parse
from .permissions import StaffInScope

SIGNS = sch.obj({"scope": sch.STR, "reach_m": sch.NUM, "signs": sch.INT,
                 "centers": sch.arr(sch.obj({"id": sch.INT, "name": sch.STR,
                                             "households_served": sch.INT,
                                             "households_guided": sch.INT,
                                             "signs": sch.arr(sch.OBJ)}))})
# The procurement sheet's columns: (key, header).
COLUMNS = [("center", gettext_lazy("服务中心")), ("text", gettext_lazy("牌面文字")),
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
    return [[c["name"] if k == "center" else s[k] for k, _h in COLUMNS]
            for c in out["centers"] for s in c["signs"]]


class Signs(APIView):
    """指引牌 sign sites on main roads where the walks of a center's households join them."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_servicecenter"

    @extend_schema(parameters=[SignParams], responses={200: sch.response(
        SIGNS, "sign sites per center; CSV or XLSX with output=csv|xlsx")})
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
