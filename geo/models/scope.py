"""Scopes by hierarchy code: a district, street or community code selects what lies under it."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from .tables import table

# The model holding each level's areas, by code length (never taken from a request).
SCOPE_MODELS = {6: "District", 9: "Street", 12: "Community"}


def scope_table(code: str) -> str:
    """The table of the areas a 6-, 9- or 12-digit scope code names."""
    return table(SCOPE_MODELS[len(code)])


class ScopeError(ValueError):
    """A scope code that is malformed or names nothing we hold."""


def check_scope(code: str | None) -> str:
    """The code as a community-code prefix ('' for everything); raises on unknown codes."""
    if not code:
        return ""
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ScopeError(_("范围代码 %(code)r 应为 6 位区县、9 位街道或 12 位社区代码")
                         % {"code": code})
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {scope_table(code)} WHERE code = %s", [code])
        if cur.fetchone() is None:
            raise ScopeError(_("没有代码为 %(code)s 的区划") % {"code": code})
    return code

