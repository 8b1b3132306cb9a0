"""Audit history of one object, and reverting it: ``/api/v1/history/{kind}/{id}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.models.audit import acting_as
from geo.models.base import StaleVersion
from geo.services.access import object_code, require_in_scope, require_perm
from geo.services.history import AUDITED, RevertRefused, object_history, record_of, revert_to

from . import schemas as sch
from .errors import ApiError, error_body
from .permissions import StaffInScope


def _object(kind: str, pk: int) -> tuple[type[Any], Any]:
    model = AUDITED.get(kind)
    if model is None:
        kinds = ", ".join(AUDITED)
        raise ApiError("unknown_kind", _("kind 应为 %(kinds)s 之一") % {"kinds": kinds}, "kind",
                       status_code=404)
    obj = model._default_manager.filter(pk=pk).first()
    return model, obj


class RevertBody(serializers.Serializer):
    history_id = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                       default=None, help_text="the version you saw")


class ObjectHistory(APIView):
    """修改历史 who changed this object, when, and what (before/after, geometries as GeoJSON)."""

    permission_classes = (StaffInScope,)

    @extend_schema(responses={200: sch.response(sch.HISTORY, "the records, newest first")})
    def get(self, request: Request, kind: str, pk: int) -> Response:
        model, obj = _object(kind, pk)
        records = object_history(model, pk)
        if obj is None and not records:
            raise ApiError("not_found", _("没有 %(kind)s #%(pk)s") % {"kind": kind, "pk": pk},
                           status_code=404)
        if obj is not None:
            require_in_scope(request.user, object_code(obj))
        else:  # deleted: placed by its last record
            require_in_scope(request.user, object_code(
                model.history.filter(id=pk).latest("history_id").instance))
        return Response({"kind": kind, "id": pk,
                         "version": getattr(obj, "version", None), "records": records})


class RevertObject(APIView):
    """撤销 restore an object to an earlier record; 409 with the current version when stale."""

    permission_classes = (StaffInScope,)

    @extend_schema(request=RevertBody, responses={
        200: sch.response(sch.REVERTED, "restored: the new version and the latest records"),
        409: sch.response(sch.STALE, "someone changed it first: the current version")})
    def post(self, request: Request, kind: str, pk: int) -> Response:
        model, obj = _object(kind, pk)
        body = RevertBody(data=request.data)
        body.is_valid(raise_exception=True)
        require_perm(request.user, f"geo.change_{model._meta.model_name}")
        try:
            record = record_of(model, pk, body.validated_data["history_id"])
        except ObjectDoesNotExist as exc:
            raise ApiError("not_found", _("此对象没有这条历史记录"),
                           "history_id", status_code=404) from exc
        # Both where it is now and where the revert puts it must lie inside the scope.
        if obj is not None:
            require_in_scope(request.user, object_code(obj))
        require_in_scope(request.user, object_code(record.instance))
        try:
            with acting_as(request.user):
                restored = revert_to(model, pk, record, body.validated_data["version"],
                                     request.user)
        except StaleVersion as exc:
            return Response({**error_body("conflict", str(exc)), "current_version": exc.current,
                             "records": object_history(model, pk, limit=5)}, status=409)
        except RevertRefused as exc:
            raise ApiError("revert_refused", str(exc), status_code=400) from exc
        return Response({"kind": kind, "id": pk, "version": getattr(restored, "version", None),
                         "records": object_history(model, pk, limit=5)})
