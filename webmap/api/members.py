"""Reporting members as a list: names, phones and ID numbers masked unless asked for by a
role that needs them, and every unmasked answer logged (``PersonalDataAccess``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.cells import inert
from geo.analysis.personal import PERSONAL_FIELDS, masked
from geo.models import PersonalDataAccess, ReportingMember
from geo.models.scope import ScopeError, check_scope
from geo.roles import PERSONAL_DATA
from geo.services.access import require_perm, scope_filter, scope_for_read

from . import schemas as sch
from .errors import ApiError
from .permissions import StaffInScope

PAGE = 200
COLUMNS = [("id", gettext_lazy("编号")), ("name", gettext_lazy("姓名")),
           ("phone", gettext_lazy("电话")), ("id_number", gettext_lazy("身份证号")),
           ("home_unit", gettext_lazy("所在单位")),
           ("residence_community", gettext_lazy("居住社区")),
           ("reported_community", gettext_lazy("报到社区")),
           ("reported_on", gettext_lazy("报到日期"))]


class MemberListParams(serializers.Serializer):
    scope = serializers.CharField(required=False, allow_blank=True, default="")
    unmask = serializers.BooleanField(required=False, default=False,
                                      help_text="show names, phones and ID numbers (logged)")
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000, default=1)
    # Not "format": DRF reads that one to choose a renderer.
    output = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


def _row(m: ReportingMember, unmasked: bool) -> dict[str, Any]:
    row = {"id": m.pk, "name": m.name, "phone": m.phone, "id_number": m.id_number,
           "home_unit": m.home_unit.name if m.home_unit else None,
           "residence_community": m.residence_community.code if m.residence_community else None,
           "reported_community": m.reported_community.code if m.reported_community else None,
           "reported_on": m.reported_on.isoformat() if m.reported_on else None}
    if not unmasked:
        for field in PERSONAL_FIELDS:
            row[field] = masked(field, str(row[field] or ""))
    return row


class MemberList(APIView):
    """在职党员名单 reporting members of a scope; personal data masked unless ``unmask=1``."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_reportingmember"

    @extend_schema(parameters=[MemberListParams],
                   responses={200: sch.response(sch.MEMBER_LIST, "a page of members as JSON; "
                                                 "the whole list as CSV with format=csv")})
    def get(self, request: Request) -> Any:
        ser = MemberListParams(data=request.query_params)
        ser.is_valid(raise_exception=True)
        p = ser.validated_data
        try:
            scope = scope_for_read(request.user, check_scope(p["scope"]))
        except ScopeError as exc:
            raise ApiError("invalid_parameter", str(exc), "scope") from exc
        unmasked = bool(p["unmask"])
        if unmasked:
            require_perm(request.user, PERSONAL_DATA)
        qs = (ReportingMember.objects.filter(scope_filter(ReportingMember, scope))
              .select_related("home_unit", "residence_community", "reported_community")
              .order_by("pk"))
        if p["output"] == "csv":
            members = list(qs)
        else:
            start = (p["page"] - 1) * PAGE
            members = list(qs[start:start + PAGE])
        rows = [_row(m, unmasked) for m in members]
        if unmasked and rows:
            PersonalDataAccess.record(request.user, "api" if p["output"] == "json" else "export",
                                      request.get_full_path(), [r["id"] for r in rows])
        if p["output"] == "csv":
            buf = io.StringIO()
            out = csv.writer(buf)
            out.writerow([str(label) for _key, label in COLUMNS])
            out.writerows([[inert(r[key] or "") for key, _label in COLUMNS] for r in rows])
            resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="members-{scope or "all"}.csv"'
            return resp
        return Response({"scope": scope, "masked": not unmasked, "count": qs.count(),
                         "page": p["page"], "page_size": PAGE, "members": rows})
