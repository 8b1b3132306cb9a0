"""Grid events: residents report; grid workers and the office act; anyone tracks by code."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.event_flow import TRANSITIONS, Actor, FlowError, is_overdue
from geo.analysis.photos import MAX_UPLOAD_BYTES, PhotoError, clean_photo
from geo.models import Event, GridUnit, ReporterKind, Urgency
from geo.models.base import StaleVersion
from geo.services import event_map
from geo.services import events as svc
from geo.services.access import covers, scope_of
from geo.services.text import say

from . import schemas as sch
from .errors import ApiError
from .event_map import FilterParams, event_filter
from .params import parse
from .permissions import StaffInScope

EVENT = sch.obj({
    "code": sch.STR, "category": sch.STR, "category_name": sch.STR, "urgency": sch.STR,
    "description": sch.STR, "lon": sch.NUM, "lat": sch.NUM, "address": sch.STR,
    "grid": sch.nullable(sch.STR), "community": sch.nullable(sch.STR), "state": sch.STR,
    "state_name": sch.STR, "state_since": sch.STR, "due_at": sch.nullable(sch.STR),
    "overdue": sch.BOOL, "reported_at": sch.STR, "version": sch.INT,
    "reporter_phone": sch.STR, "department": sch.STR, "department_name": sch.STR,
    "actions": sch.arr(sch.STR)}, {"photos": sch.arr(sch.STR)})
EVENT_LIST = sch.obj({"count": sch.INT, "overdue": sch.INT, "events": sch.arr(EVENT),
                      "calendar_unsettled": sch.arr(sch.INT)})


class ReportBody(serializers.Serializer):
    category = serializers.CharField(max_length=20)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    description = serializers.CharField(max_length=2000)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, default="",
                                    allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True,
                                  help_text="the reporter's phone (kept masked)")
    photo = serializers.FileField(required=False, default=None, allow_null=True,
                                  help_text="JPEG, PNG or WebP, at most 8 MB (multipart)")

    def validate_phone(self, value: str) -> str:
        if value and not re.fullmatch(r"\+?[0-9][0-9-]{5,18}", value):
            raise serializers.ValidationError(_("电话号码格式不对"))
        return value


class ActBody(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    version = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=2000, required=False, default="",
                                 allow_blank=True)
    grid = serializers.CharField(max_length=15, required=False, allow_null=True, default=None)
    department = serializers.CharField(max_length=30, required=False, allow_null=True,
                                       default=None,
                                       help_text="a functional department's code (dispatch, "
                                                 "reassign)")
    score = serializers.IntegerField(min_value=1, max_value=5, required=False, default=None)
    merge_into = serializers.CharField(max_length=12, required=False, default=None)
    photo = serializers.FileField(required=False, default=None, allow_null=True,
                                  help_text="JPEG, PNG or WebP, at most 8 MB (multipart)")


class ListParams(FilterParams):
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


def _photo(upload: Any) -> bytes | None:
    """An uploaded photo's bytes, checked at the door (type by decoding, size, pixels)."""
    if upload is None:
        return None
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        clean_photo(raw)
    except PhotoError as exc:
        raise ApiError("invalid_parameter", say(exc.message), "photo") from exc
    return bytes(raw)


def _flow_error(exc: FlowError) -> ApiError:
    status = 403 if exc.code == "forbidden" else 409 if exc.code == "wrong_state" else 400
    return ApiError(exc.code, say(exc.message), status_code=status)


class Events(APIView):
    """网格事件 report a problem at a place (anyone), or list the events of your scope."""

    permission_classes = (AllowAny,)

    @extend_schema(request=ReportBody, operation_id="events_create",
                   responses={201: sch.response(EVENT, "the new event")})
    def post(self, request: Request) -> Response:
        p = parse(ReportBody, request.data)
        user = request.user
        # Anyone without a part in the flow (anonymous, or a read-only role) is a resident.
        actor = _actor(user)
        kind = (ReporterKind.RESIDENT if actor is None else
                ReporterKind.WORKER if actor == Actor.WORKER else ReporterKind.STAFF)
        if kind == ReporterKind.RESIDENT and not p["phone"]:
            raise ApiError("invalid_parameter", _("请留下联系电话，以便网格员联系您"), "phone")
        photo = _photo(p["photo"])
        try:
            with transaction.atomic():  # a report and its photo, or neither
                event = svc.report(category=p["category"], urgency=p["urgency"],
                                   description=p["description"], lon=p["lon"], lat=p["lat"],
                                   address=p["address"],
                                   by=svc.Reporter(kind, p["phone"], user))
                if photo is not None:
                    svc.add_photo(event, photo, event.steps.first())
        except FlowError as exc:
            raise ApiError("invalid_parameter", say(exc.message), "category") from exc
        return Response(svc.as_dict(event, timezone.now()), status=201)

    @extend_schema(parameters=[ListParams], operation_id="events_list",
                   responses={200: sch.response(EVENT_LIST, "events by due time")})
    def get(self, request: Request) -> Response:
        if not StaffInScope().has_permission(request, self):
            raise ApiError("forbidden", _("请以有角色和工作范围的工作人员身份登录"),
                           status_code=403)
        p = parse(ListParams, request.query_params)
        now = timezone.now()
        qs = event_map.filtered(svc.visible_events(request.user), event_filter(p), now)
        actor = _actor(request.user)
        rows = list(qs.order_by("due_at", "id")[:p["limit"]])
        photos = svc.photo_ids_of(rows)  # one query for the page, no image read
        out = []
        for e in rows:
            item = svc.as_dict(e, now, actor)
            item["photos"] = [reverse("event-photo", args=[e.code, pk])
                              for pk in photos.get(e.pk, [])]
            out.append(item)
        cal = svc.calendar()
        # Deadlines counted in a year whose holidays are not (officially) known yet.
        unsettled = cal.unsettled(*(e.due_at.astimezone(cal.tz).date()
                                    for e in rows if e.due_at is not None))
        return Response({"count": qs.count(), "overdue": qs.filter(due_at__lt=now).count(),
                         "events": out, "calendar_unsettled": unsettled})


def _actor(user: Any) -> Actor | None:
    try:
        return svc.actor_of(user)
    except PermissionDenied:  # read-only roles see no actions
        return None


RATE = sch.obj({"finished": sch.INT, "on_time": sch.INT, "rate": sch.nullable(sch.NUM)})
STEPS = sch.obj({}, {step: RATE for step in ("file", "dispatch", "handle", "verify")})
GROUP_RATES = sch.arr(sch.obj({"code": sch.STR, "steps": STEPS}))
ON_TIME = sch.obj({"steps": STEPS, "streets": GROUP_RATES, "communities": GROUP_RATES,
                   "grids": GROUP_RATES})


class EventRates(APIView):
    """按时办结率 on-time rates per step, street, community and grid of your scope."""

    permission_classes = (StaffInScope,)

    @extend_schema(operation_id="event_rates",
                   responses={200: sch.response(ON_TIME, "on-time rates of finished steps")})
    def get(self, request: Request) -> Response:
        return Response(svc.on_time_report(request.user))


DUPLICATES = sch.obj({"metres": sch.NUM, "hours": sch.NUM, "groups": sch.arr(
    sch.obj({"keep": sch.STR, "merge": sch.arr(sch.STR)}))})


class EventDuplicates(APIView):
    """疑似重复 groups of likely duplicate reports, each to merge into its earliest."""

    permission_classes = (StaffInScope,)

    @extend_schema(operation_id="event_duplicates",
                   responses={200: sch.response(DUPLICATES, "proposed merges")})
    def get(self, request: Request) -> Response:
        return Response(svc.duplicate_proposals(request.user))


class EventDetail(APIView):
    """事件进度 an event by its tracking code (what a resident may see)."""

    permission_classes = (AllowAny,)

    @extend_schema(operation_id="event_retrieve",
                   responses={200: sch.response(EVENT, "the event")})
    def get(self, request: Request, code: str) -> Response:
        event = Event.objects.select_related("grid", "community").filter(code=code).first()
        if event is None:
            raise ApiError("not_found", _("没有查询码为 %(code)s 的事件") % {"code": code},
                           status_code=404)
        out = svc.as_dict(event, timezone.now(), _actor(request.user))
        if covers(scope_of(request.user), svc.event_code(event)):
            out["photos"] = [reverse("event-photo", args=[code, pk])
                             for pk in svc.photo_ids(event)]
        return Response(out)


class EventPhotoView(APIView):
    """事件照片 one photo of an event, for staff whose scope holds it (JPEG)."""

    permission_classes = (StaffInScope,)

    @extend_schema(operation_id="event_photo", responses={
        (200, "image/jpeg"): OpenApiResponse(response=OpenApiTypes.BINARY,
                                             description="the photo, JPEG, no metadata")})
    def get(self, request: Request, code: str, pk: int) -> HttpResponse:
        data = svc.photo_of(request.user, code, pk)
        if data is None:
            raise ApiError("not_found", _("没有此照片"), status_code=404)
        resp = HttpResponse(data, content_type="image/jpeg")
        resp["Cache-Control"] = "private, max-age=3600"
        return resp


class EventAct(APIView):
    """事件处置 take an action on an event (409 when someone acted first)."""

    permission_classes = (AllowAny,)  # the service decides: role, scope, state

    @extend_schema(request=ActBody, operation_id="event_act", responses={
        200: sch.response(EVENT, "the event after the action"),
        409: sch.response(sch.obj({"error": sch.obj({"code": sch.STR, "message": sch.STR})},
                                  {"event": EVENT}), "someone acted first")})
    def post(self, request: Request, code: str) -> Response:
        p = parse(ActBody, request.data)
        if not Event.objects.filter(code=code).exists():
            raise ApiError("not_found", _("没有查询码为 %(code)s 的事件") % {"code": code},
                           status_code=404)
        if p["grid"] and not GridUnit.objects.filter(code=p["grid"]).exists():
            raise ApiError("invalid_parameter", _("没有网格 %(code)s") % {"code": p["grid"]},
                           "grid")
        photo = _photo(p["photo"])
        try:
            with transaction.atomic():  # the action and its photo, or neither
                event = svc.act(code, p["action"], request.user, p["version"], p["note"],
                                svc.ActDetails(grid=p["grid"], department=p["department"],
                                               score=p["score"], merge_into=p["merge_into"]))
                if photo is not None:
                    svc.add_photo(event, photo, event.steps.order_by("-id").first())
        except StaleVersion as exc:
            current = Event.objects.select_related("grid", "community").get(code=code)
            raise ApiError("conflict", str(exc), status_code=409, extra={
                "event": svc.as_dict(current, timezone.now(), _actor(request.user))}) from exc
        except FlowError as exc:
            raise _flow_error(exc) from exc
        return Response(svc.as_dict(event, timezone.now(), _actor(request.user)))


__all__ = ["EventAct", "EventDetail", "EventDuplicates", "EventPhotoView", "EventRates",
           "Events", "is_overdue"]
