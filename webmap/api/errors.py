"""One error format for the whole API: {"error": {"code", "message", "field"?}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from geo.services.errors import DOMAIN, classify, describe, error_body


class ApiError(exceptions.APIException):
    """An error with a stable code, a message a user can act on and the parameter at fault."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, field: str | None = None,
                 status_code: int = status.HTTP_400_BAD_REQUEST,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, code)
        self.error_code = code
        self.field = field
        self.status_code = status_code  # type: ignore[assignment]
        # Top-level keys beside "error" a client acts on (a 409's current grids, findings).
        self.extra = extra or {}


def stale(exc: Any) -> ApiError:
    """409 for a write based on an old version (``StaleVersion``), with the current one."""
    return ApiError("conflict", str(exc), status_code=status.HTTP_409_CONFLICT,
                    extra={"version": exc.current})


def first_problem(detail: Any, path: str = "") -> tuple[str, str]:
    """The first field at fault in a (nested) validation error, as ``grids[1].geometry``."""
    if isinstance(detail, dict):  # a ListField's errors are keyed by index
        for key, value in detail.items():
            if value:
                step = f"[{key}]" if isinstance(key, int) else f".{key}" if path else str(key)
                return first_problem(value, path + step)
    if isinstance(detail, list):
        if detail and all(isinstance(v, str) for v in detail):
            return path, str(detail[0])
        for i, value in enumerate(detail):
            if value:
                return first_problem(value, f"{path}[{i}]")
    return path, str(detail)


# DRF's own codes, renamed to the ones every other door of ours uses.
RENAMED = {"permission_denied": "forbidden", "parse_error": "bad_json"}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoPermissionDenied):  # scope refusals carry a message to show
        return Response(error_body("forbidden", str(exc) or _("没有权限")),
                        status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DOMAIN):
        code, status_code = classify(exc)
        return Response(error_body(code, describe(exc)), status=status_code)
    if isinstance(exc, ApiError):
        return Response({**error_body(exc.error_code, str(exc.detail), exc.field), **exc.extra},
                        status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, (dict, list)):
        field, problem = first_problem(exc.detail)
        message = f"{field}: {problem}" if field else problem
        return Response(error_body("invalid_parameter", message, field or None),
                        status=status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(
            response.data, dict) else response.data
        code = str(getattr(detail, "code", None) or "error")
        response.data = error_body(RENAMED.get(code, code), str(detail))
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    """404 for an unknown API path; a path that only lacks its final slash is redirected."""
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query
                                                                       else ""))
    return JsonResponse(error_body("not_found", _("没有接口 %(path)s；接口列表见 /api/v1/schema/")
                                   % {"path": request.path}), status=404)
