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

_GEO_OBJECTS = ("district", "street", "community", "gridunit", "servicecenter",
                "cobuildingunit", "pairing", "reportingmember", "compound", "building",
                "walknode", "walkedge", "landfeature")
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


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "市/区管理员 city/district administrator",
    Role.PLANNER: "街道规划员 street planner",
    Role.STAFF: "社区工作人员 community staff",
    Role.VIEWER: "报表查看 report viewer",
    Role.STEWARD: "数据管理员 data steward",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    # Administrators run everything in their city or district, members' contact data too.
    Role.ADMIN: _VIEW_ALL | _crud(*_GEO_OBJECTS) | IMPORTS
    | {PERSONAL_DATA, "geo.view_personaldataaccess"},
    # Planners are accountable for grid boundaries and the street's co-building pairings.
    Role.PLANNER: _VIEW_ALL | _crud("gridunit", "pairing"),
    # Community staff keep their centers current and contact the members reporting to them.
    Role.STAFF: _VIEW_ALL | frozenset({"geo.change_servicecenter", "geo.change_reportingmember",
                                        PERSONAL_DATA}),
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

SCOPE_NAMES = {0: "全市 city", 6: "区县 district", 9: "街道 street", 12: "社区 community"}


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
        return f"范围代码应为数字 scope {scope!r} must be digits"
    if len(scope) not in ROLE_SCOPE_LEVELS[role]:
        allowed = "、".join(SCOPE_NAMES[n] for n in ROLE_SCOPE_LEVELS[role])
        return (f"{ROLE_LABELS[role]} 的范围应为 {allowed}; a {role.value} is scoped to "
                f"{' or '.join(SCOPE_NAMES[n].split()[1] for n in ROLE_SCOPE_LEVELS[role])}, "
                f"not a {len(scope)}-digit code")
    return None
