"""Reporting members' "五个一": the year's completion, and recording what a member did.

Names are masked unless the reader holds the personal-data permission (and asks for
them, as for the member list); every unmasked answer is logged.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.cells import inert
from geo.analysis.personal import mask_name
from geo.models import MemberActivity, PersonalDataAccess, ReportingMember
from geo.models.audit import acting_as
from geo.models.base import StaleVersion
from geo.models.duties import EARLIEST, DutyKind
from geo.roles import PERSONAL_DATA
from geo.services.access import require_in_scope, require_perm, scope_filter, scope_of
from geo.services.duties import member_duties, this_year

from . import schemas as sch
from .errors import ApiError, stale
from .params import ScopedParams, parse
from .permissions import StaffInScope

DUTIES = sch.obj({
    "scope": sch.nullable(sch.STR), "year": sch.INT, "profile": sch.STR,
    "member_cap": sch.INT, "masked": sch.BOOL,
    "duties": sch.arr(sch.obj({"kind": sch.STR, "label": sch.STR, "required": sch.INT})),
    "summary": sch.obj({"members": sch.INT, "complete": sch.INT, "behind": sch.INT,
                        "share": sch.nullable(sch.NUM), "activities": sch.INT}),
    "communities": sch.arr(sch.obj({"code": sch.STR, "name": sch.STR, "members": sch.INT,
                                    "complete": sch.INT, "behind": sch.INT,
                                    "share": sch.nullable(sch.NUM), "over_cap": sch.BOOL})),
    "members": sch.arr(sch.obj({"id": sch.INT, "name": sch.STR, "community_code": sch.STR,
                                "missing": sch.arr(sch.STR), "complete": sch.BOOL,
                                "progress": sch.NUM})),
})
ACTIVITY = sch.obj({"id": sch.INT, "member": sch.INT, "kind": sch.STR, "kind_label": sch.STR,
                    "on": sch.STR, "note": sch.STR, "community": sch.nullable(sch.STR),
                    "version": sch.INT, "origin": sch.STR})
CSV_COLUMNS = [("id", gettext_lazy("党员编号")), ("name", gettext_lazy("姓名")),
               ("community_code", gettext_lazy("社区代码")), ("community", gettext_lazy("社区")),
               ("progress", gettext_lazy("完成度")), ("missing", gettext_lazy("未完成"))]


class DutiesParams(ScopedParams):
    year = serializers.IntegerField(required=False, min_value=EARLIEST.year, max_value=2100,
                                    help_text="calendar year (default: this year, Beijing time)")
    behind = serializers.BooleanField(required=False, default=False,
                                      help_text="list only the members who are behind")
    unmask = serializers.BooleanField(required=False, default=False,
                                      help_text="show members' whole names (logged)")
    output = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


class MemberDuties(APIView):
    """党员“五个一” each member's duties of the year, who is behind, per community."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_memberactivity"

    @extend_schema(parameters=[DutiesParams],
                   responses={200: sch.response(DUTIES, "completion per member and community; "
                                                        "the members as CSV with output=csv")})
    def get(self, request: Request) -> Any:
        p = parse(DutiesParams, request.query_params, request.user)
        if p["unmask"]:
            require_perm(request.user, PERSONAL_DATA)
        out = member_duties(p["scope"], p.get("year") or this_year(), p["profile"])
        if p["behind"]:
            out["members"] = [m for m in out["members"] if not m["complete"]]
        out["masked"] = not p["unmask"]
        if p["unmask"] and out["members"]:
            PersonalDataAccess.record(request.user, "api" if p["output"] == "json" else "export",
                                      request.get_full_path(), [m["id"] for m in out["members"]])
        else:
            for m in out["members"]:
                m["name"] = mask_name(m["name"])
        if p["output"] == "csv":
            return _csv(out)
        return Response(out)


def _csv(out: dict[str, Any]) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf)
    duties = out["duties"]
    w.writerow([str(label) for _k, label in CSV_COLUMNS] + [d["label"] for d in duties])
    for m in out["members"]:
        w.writerow([m["id"], inert(m["name"]), m["community_code"], inert(m["community"]),
                    f"{100 * m['progress']:.0f}%", "、".join(m["missing_labels"])]
                   + [m["counts"][d["kind"]] for d in duties])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = (f'attachment; filename="duties-{out["scope"] or "all"}-'
                                   f'{out["year"]}.csv"')
    return resp


def activity_json(a: MemberActivity) -> dict[str, Any]:
    return {"id": a.pk, "member": a.member_id, "kind": a.kind, "kind_label": a.get_kind_display(),
            "on": a.on.isoformat(), "note": a.note,
            "community": a.community.code if a.community else None, "version": a.version,
            "origin": a.origin}


class ActivityBody(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="the member's number")
    kind = serializers.ChoiceField(choices=DutyKind.values)
    on = serializers.DateField(help_text="the day, YYYY-MM-DD (Beijing time)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def validate_on(self, value: Any) -> Any:
        today = timezone.localdate()
        if not EARLIEST <= value <= today:
            raise serializers.ValidationError(_("日期须在 %(first)s 与今天（%(today)s）之间") % {
                "first": EARLIEST.isoformat(), "today": today.isoformat()})
        return value


class ActivityListParams(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(required=False, min_value=EARLIEST.year, max_value=2100)


def _member_in_scope(user: Any, pk: int) -> ReportingMember:
    member = (ReportingMember.objects.filter(scope_filter(ReportingMember, scope_of(user) or ""))
              .select_related("reported_community").filter(pk=pk).first())
    if member is None:  # outside the scope looks like nothing at all
        raise ApiError("not_found", _("没有编号为 %(id)s 的报到党员") % {"id": pk}, "member",
                       status_code=status.HTTP_404_NOT_FOUND)
    return member


class Activities(APIView):
    """党员活动 a member's recorded duties (GET), or record one (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_memberactivity"

    @extend_schema(parameters=[ActivityListParams],
                   responses={200: sch.response(sch.obj({"activities": sch.arr(ACTIVITY)}),
                                                "the member's activities, newest first")})
    def get(self, request: Request) -> Response:
        p = parse(ActivityListParams, request.query_params)
        member = _member_in_scope(request.user, p["member"])
        acts = MemberActivity.objects.filter(member=member).select_related("community")
        if p.get("year"):
            acts = acts.filter(on__year=p["year"])
        return Response({"activities": [activity_json(a) for a in acts]})

    @extend_schema(request=ActivityBody, responses={
        201: sch.response(ACTIVITY, "recorded"),
        200: sch.response(ACTIVITY, "already recorded for that day (its note updated)")})
    def post(self, request: Request) -> Response:
        require_perm(request.user, "geo.add_memberactivity")
        p = parse(ActivityBody, request.data)
        member = _member_in_scope(request.user, p["member"])
        if member.reported_community is None:
            raise ApiError("member_not_reported", _(
                "党员 %(id)s 还没有报到社区，活动无处计入；请先登记报到社区") % {"id": member.pk},
                "member")
        # Writes go where the member reports: a reader of a street may not write there.
        require_in_scope(request.user, member.reported_community.code, _("党员报到社区"))
        before = MemberActivity.objects.filter(member=member, kind=p["kind"], on=p["on"]).exists()
        with acting_as(request.user):
            act = MemberActivity.record(member, p["kind"], p["on"], p["note"])
        return Response(activity_json(act),
                        status=status.HTTP_200_OK if before else status.HTTP_201_CREATED)


class VersionParams(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the version the client saw")


class ActivityDetail(APIView):
    """删除党员活动 delete a recorded duty; 409 when it changed since the client read it."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.delete_memberactivity"

    @extend_schema(parameters=[VersionParams], responses={
        200: sch.response(sch.obj({"deleted": sch.INT}), "deleted"),
        409: sch.response(sch.ERROR, "changed since read: read again")})
    def delete(self, request: Request, pk: int) -> Response:
        p = parse(VersionParams, request.query_params)
        act = (MemberActivity.objects.filter(scope_filter(MemberActivity,
                                                          scope_of(request.user) or ""))
               .select_related("community").filter(pk=pk).first())
        if act is None:
            raise ApiError("not_found", _("没有此活动记录"), status_code=status.HTTP_404_NOT_FOUND)
        require_in_scope(request.user, act.community.code if act.community else "",
                         _("活动所在社区"))
        try:
            with transaction.atomic(), acting_as(request.user):
                current = (MemberActivity.objects.select_for_update()
                           .values_list("version", flat=True).get(pk=pk))
                if current != p["version"]:
                    raise StaleVersion(current, p["version"])
                MemberActivity.objects.get(pk=pk).delete()
        except StaleVersion as exc:
            raise stale(exc) from exc
        except (MemberActivity.DoesNotExist, IntegrityError) as exc:
            raise ApiError("not_found", _("没有此活动记录"),
                           status_code=status.HTTP_404_NOT_FOUND) from exc
        return Response({"deleted": pk})
