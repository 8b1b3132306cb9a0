"""One error format for the whole API: {"error": {"code", "message", "field"?}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from geo.services.errors import error_body


class ApiError(exceptions.APIException):
    """An error with a stable code, a message a user can act on and the parameter at fault."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, field: str | None = None,
                 status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(message, code)
        self.error_code = code
        self.field = field
        self.status_code = status_code  # type: ignore[assignment]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoPermissionDenied):  # scope refusals carry a message to show
        return Response(error_body("forbidden", str(exc) or "没有权限 permission denied"),
                        status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ApiError):
        return Response(error_body(exc.error_code, str(exc.detail), exc.field),
                        status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        field, problems = next(iter(exc.detail.items()))
        problem = problems[0] if isinstance(problems, list) and problems else problems
        message = f"{field}: {problem}"
        return Response(error_body("invalid_parameter", message, str(field)),
                        status=status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(
            response.data, dict) else response.data
        code = getattr(detail, "code", None) or "error"
        response.data = error_body(str(code), str(detail))
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
    return JsonResponse(error_body("not_found", f"no API endpoint {request.path}; the "
                                   "endpoints are listed in /api/v1/schema/"), status=404)
