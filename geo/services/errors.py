"""The one error body every JSON answer uses: ``{"error": {"code", "message", "field"?}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from geo.analysis.errors import GridEditError, NetworkError, PairingInfeasible
from geo.analysis.text import Text
from geo.models.scope import ScopeError

from .text import say, say_all


class NoData(ValueError):
    """The scope holds nothing the analysis needs (no communities, no co-building units)."""


# Domain exceptions and how every JSON door answers them (most specific first). A code of
# None takes the exception's own ``code`` (an edit the planner can fix says which).
DOMAIN_ERRORS: tuple[tuple[type[Exception], str | None, int], ...] = (
    (PermissionDenied, "forbidden", 403),
    (PairingInfeasible, "infeasible", 422),
    (NetworkError, "no_network", 409),
    (NoData, "no_data", 422),
    (GridEditError, None, 400),
    (ScopeError, "invalid_parameter", 400),
)
# Page views (report downloads) also answer a bare ValueError of their own parsing as a 400;
# the API does not: there a ValueError nobody named is a bug, and a bug is a 500.
PAGE_ERRORS: tuple[tuple[type[Exception], str | None, int], ...] = (
    *DOMAIN_ERRORS, (ValueError, "invalid_parameter", 400))
DOMAIN: tuple[type[Exception], ...] = tuple(e for e, _, _ in DOMAIN_ERRORS)
HANDLED: tuple[type[Exception], ...] = tuple(e for e, _, _ in PAGE_ERRORS)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The error JSON: a stable ``code``, a ``message`` a user can act on, the ``field``."""
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}


def classify(exc: Exception) -> tuple[str, int]:
    """The error code and HTTP status of a handled exception (see :data:`PAGE_ERRORS`)."""
    for kind, code, status in PAGE_ERRORS:
        if isinstance(exc, kind):
            return code or str(getattr(exc, "code", "invalid_parameter")), status
    raise TypeError(f"not a domain error: {exc!r}") from exc


def describe(exc: Exception) -> str:
    """The message of a domain exception (an infeasible pairing lists its reasons)."""
    if isinstance(exc, PairingInfeasible):
        return say_all(exc.reasons)
    if exc.args and isinstance(exc.args[0], Text):
        return say(exc.args[0])
    return str(exc)
