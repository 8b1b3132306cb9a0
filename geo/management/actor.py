"""``--as USER`` for commands that write: the user's permissions and scope apply, and the
audit history names them. Without it a command acts as the system (the operator's shell)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.roles import covers
from geo.services.access import scope_of


def add_actor(parser: CommandParser) -> None:
    parser.add_argument("--as", dest="as_user", metavar="USER", default=None,
                        help="act as this user: their role and scope must allow the change, "
                             "and the history records them")


def actor_from(opts: dict[str, Any], perms: tuple[str, ...], code: str | None) -> Any:
    """The ``--as`` user once their permissions and scope allow writing ``code``; else None.

    ``code`` is the hierarchy code written under ('' for the whole city); ``None`` skips the
    scope check (the caller checks each row's code itself).
    """
    name = opts.get("as_user")
    if not name:
        return None
    user = get_user_model().objects.filter(username=name).first()
    if user is None or not user.is_active:
        raise CommandError(_("--as %(name)s：没有此用户或已停用") % {"name": name})
    missing = [p for p in perms if not user.has_perm(p)]
    if missing:
        raise CommandError(_("--as %(name)s：没有权限 %(perms)s") % {
            "name": name, "perms": ", ".join(missing)})
    scope = scope_of(user)
    if scope is None:
        raise CommandError(
            _("--as %(name)s：此账号没有角色和工作范围，请在 /admin/ 的账号角色中分配")
            % {"name": name})
    if code is not None and not covers(scope, code):
        raise CommandError(_("--as %(name)s：%(code)s 不在其工作范围 %(scope)s 内") % {
            "name": name, "code": code or _("全市"), "scope": scope or _("全市")})
    return user
