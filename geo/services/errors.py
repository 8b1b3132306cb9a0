"""The one error body every JSON answer uses: ``{"error": {"code", "message", "field"?}}``."""

from __future__ import annotations

from typing import Any


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The error JSON: a stable ``code``, a ``message`` a user can act on, the ``field``."""
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}
