"""Who may do what, and where: roles, their permissions, and scopes as code prefixes.

A scope is a hierarchy code (DESIGN §2): ``""`` is the whole city, 6 digits a district,
9 a street, 12 a community. An object lies inside a scope when its own hierarchy code
(a community's code, a grid's code, a center's community code ...) starts with it, so one
string comparison decides every read and write. A user with no scope sees nothing scoped.

Permissions are Django's ``app.codename`` strings; the role backend grants them, so the
table below is the one place a role's rights are written down.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_GEO_OBJECTS = ("district", "street", "community", "gridunit", "servicecenter",
                "cobuildingunit", "pairing", "reportingmember", "compound", "building",
                "walknode", "walkedge", "landfeature", "memberactivity",
                "communitystaffing", "streetstaffing", "leader", "leaderlink", "starscore",
                "rectification", "wish", "need", "resource", "project",
                "directionsign")
_VIEW_ALL = frozenset(f"geo.view_{m}" for m in _GEO_OBJECTS)


def _crud(*models: str) -> frozenset[str]:
    return frozenset(f"geo.{verb}_{m}" for m in models for verb in ("add", "change", "delete"))


PERSONAL_DATA = "geo.view_personal_data"
# The browser import page (/data/import/): upload, check, import and undo files.
IMPORTS = frozenset({"geo.view_importrun", "geo.add_importrun", "geo.change_importrun"})


class Role(StrEnum):
    """The five staff roles; residents are anonymous and hold none."""

    ADMIN = "admin"
    PLANNER = "planner"
    STAFF = "staff"
    VIEWER = "viewer"
    STEWARD = "steward"


ROLE_LABELS: dict[Role, str | Promise] = {
    Role.ADMIN: _("市/区管理员"),
    Role.PLANNER: _("街道规划员"),
    Role.STAFF: _("社区工作人员"),
    Role.VIEWER: _("报表查看"),
    Role.STEWARD: _("数据管理员"),
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    # Administrators run everything in their city or district, members' contact data too.
    Role.ADMIN: _VIEW_ALL | _crud(*_GEO_OBJECTS) | IMPORTS
    | {PERSONAL_DATA, "geo.view_personaldataaccess"},
    # Planners are accountable for grid boundaries and the street's co-building pairings,
    # and so for the units' resource lists and the projects matched from them.
    # Signs to the centers stand on the street's roads: planners propose and approve them.
    Role.PLANNER: _VIEW_ALL | _crud("gridunit", "pairing", "resource", "project",
                                    "directionsign"),
    # Community staff keep their centers current and contact the members reporting to them.
    # They also record what the members did for the community ("五个一") and report the
    # community's posts, social workers and funds of the year.
    # They keep the community's need list (三张清单) too.
    Role.STAFF: _VIEW_ALL | _crud("memberactivity", "communitystaffing", "wish", "need")
    | frozenset({"geo.change_servicecenter", "geo.change_reportingmember", PERSONAL_DATA}),
    Role.VIEWER: _VIEW_ALL,
    # Stewards load and correct data of every kind but need no member's phone to do so.
    Role.STEWARD: _VIEW_ALL | _crud(*_GEO_OBJECTS) | IMPORTS,
}

# How wide a role's scope may be (digits of the code; 0 is the whole city).
ROLE_SCOPE_LEVELS: dict[Role, tuple[int, ...]] = {
    Role.ADMIN: (0, 6),
    Role.PLANNER: (0, 6, 9),
    Role.STAFF: (12,),
    Role.VIEWER: (0, 6, 9, 12),
    Role.STEWARD: (0, 6),
}

SCOPE_NAMES = {0: _("全市"), 6: _("区县"), 9: _("街道"), 12: _("社区")}


def covers(scope: str | None, code: str) -> bool:
    """Whether ``code`` lies inside ``scope`` (``None``: no scope, nothing lies inside)."""
    return scope is not None and code.startswith(scope)


def read_scope(scope: str | None, requested: str) -> str | None:
    """The scope a read should use, or ``None`` when the request reaches outside ``scope``.

    An empty request means "mine"; a request inside ``scope`` narrows it; anything wider
    or elsewhere is refused (the caller answers 403), never silently cut down.
    """
    if scope is None:
        return None
    if not requested:
        return scope
    return requested if requested.startswith(scope) else None


def scope_problem(role: Role, scope: str) -> str | None:
    """Why ``scope`` does not suit ``role``, or ``None`` when it does."""
    if scope and not scope.isdigit():
        return str(_("范围代码 %(scope)r 应为数字") % {"scope": scope})
    if len(scope) not in ROLE_SCOPE_LEVELS[role]:
        allowed = " / ".join(str(SCOPE_NAMES[n]) for n in ROLE_SCOPE_LEVELS[role])
        return str(_("%(role)s的范围应为%(allowed)s，不能是 %(digits)d 位代码") % {
            "role": ROLE_LABELS[role], "allowed": allowed, "digits": len(scope)})
    return None
