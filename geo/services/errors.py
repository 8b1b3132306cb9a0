"""The one error body every JSON answer uses: ``{"error": {"code", "message", "field"?}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from geo.analysis.network import NetworkError
from geo.analysis.pairing import PairingInfeasible

# Domain exceptions and how every JSON door answers them (most specific first).
DOMAIN_ERRORS: tuple[tuple[type[Exception], str, int], ...] = (
    (PermissionDenied, "forbidden", 403),
    (PairingInfeasible, "infeasible", 422),
    (NetworkError, "no_network", 409),
    (ValueError, "invalid_parameter", 400),  # bad parameters, unknown scopes (ScopeError)
)
HANDLED: tuple[type[Exception], ...] = tuple(e for e, _, _ in DOMAIN_ERRORS)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The error JSON: a stable ``code``, a ``message`` a user can act on, the ``field``."""
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}


def classify(exc: Exception) -> tuple[str, int]:
    """The error code and HTTP status of a domain exception (see :data:`DOMAIN_ERRORS`)."""
    for kind, code, status in DOMAIN_ERRORS:
        if isinstance(exc, kind):
            return code, status
    raise TypeError(f"not a domain error: {exc!r}") from exc


def describe(exc: Exception) -> str:
    """The message of a domain exception (an infeasible pairing lists its reasons)."""
    if isinstance(exc, PairingInfeasible):
        return "; ".join(exc.reasons)
    return str(exc)
