"""Answer cleanly while the database is away: 503 with ``Retry-After``, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from geo.services.errors import error_body

log = logging.getLogger("wangge.db")


class DatabaseUnavailableMiddleware:
    """Turn a lost or refused database connection into 503 and drop the broken connection.

    Django reconnects on the next request (``CONN_HEALTH_CHECKS``), so once the database
    is back the following requests succeed without restarting the server.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return self._unavailable(exc)
        return None

    def _unavailable(self, exc: Exception) -> HttpResponse:
        log.warning("database unavailable: %s", exc)
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:
                conn.connection = None
        resp = JsonResponse(error_body("database_unavailable", "数据库暂时不可用，请稍后再试 the "
                                       "database is unavailable; try again shortly"), status=503)
        resp["Retry-After"] = "5"
        return resp
