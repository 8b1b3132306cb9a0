"""Who reads which collection: public layers for everyone, staff layers inside a scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from geo.services.access import scope_of

from .collections import COLLECTIONS, Collection


class Refused(Exception):
    """A collection this reader may not see: ``status`` 401 or 403, with the reason."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def reader_scope(user: Any, c: Collection) -> str:
    """The scope ``user`` reads ``c`` in ("" everything); raise :class:`Refused` if none."""
    if not c.staff_perm:
        return ""
    if not user.is_authenticated:
        raise Refused("not_authenticated", _("请先登录再查看此图层"), 401)
    if not user.has_perm(f"geo.view_{c.staff_perm}"):
        raise Refused("forbidden", _("没有查看图层 %(layer)s 的权限") % {"layer": c.id}, 403)
    scope = scope_of(user)
    if scope is None:
        raise Refused("forbidden", _("此账号没有分配角色或工作范围，请联系管理员"), 403)
    return scope


def visible(user: Any) -> list[Collection]:
    """The collections ``user`` may read, in the catalogue's order."""
    out = []
    for c in COLLECTIONS.values():
        try:
            reader_scope(user, c)
        except Refused:
            continue
        out.append(c)
    return out
