"""Scope checks against the database: a user's scope, an object's code, refusals as 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q
from django.utils.translation import gettext as _

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    CommunityStaffing,
    Compound,
    DirectionSign,
    District,
    GridUnit,
    Leader,
    LeaderLink,
    MemberActivity,
    Need,
    Pairing,
    Project,
    Rectification,
    ReportingMember,
    Resource,
    ServiceCenter,
    StarScore,
    Street,
    StreetStaffing,
    Wish,
)
from geo.models.accounts import account_of
from geo.models.scope import scope_table
from geo.models.tables import sql
from geo.roles import covers, read_scope

# A boundary edited along the scope's own border may stray by rounding; more is outside.
EDGE_TOLERANCE_M = 1.0

# Where each model keeps the hierarchy code that places it (None: placed by location).
CODE_PATHS: dict[type[Model], tuple[str, ...]] = {
    District: ("code",), Street: ("code",), Community: ("code",), GridUnit: ("code",),
    ServiceCenter: ("community__code", "street__code", "street__district__code"),
    Pairing: ("community__code",),
    ReportingMember: ("reported_community__code", "residence_community__code"),
    Compound: ("community__code",), Building: ("community__code",),
    MemberActivity: ("community__code",),
    CommunityStaffing: ("community__code",), StreetStaffing: ("street__code",),
    Leader: ("street__code", "district__code"), LeaderLink: ("community__code",),
    StarScore: ("community__code",), Rectification: ("community__code",),
    Wish: ("community__code",), Need: ("community__code",),
    Project: ("need__community__code",),
    DirectionSign: ("center__community__code", "center__street__code",
                    "center__street__district__code"),
}


def scope_of(user: Any) -> str | None:
    """The user's scope: ``""`` for superusers, ``None`` for anonymous users and no account."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    account = account_of(user)
    return account.scope if account else None


def own_scope(user: Any) -> str:
    """The user's scope; PermissionDenied when they have none (no role assigned)."""
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_outside(None, "", ""))
    return scope


def unit_code(unit: CoBuildingUnit) -> str:
    """The code of the community a co-building unit stands in ('' when in none)."""
    with connection.cursor() as cur:
        cur.execute(sql("SELECT code FROM {Community} WHERE ST_Intersects(geom, %s::geometry) "
                    "ORDER BY code LIMIT 1"), [unit.location.ewkt])
        row = cur.fetchone()
    return row[0] if row else ""


def object_code(obj: Model) -> str:
    """The hierarchy code that places ``obj`` ('' when it belongs to the whole city)."""
    if isinstance(obj, CoBuildingUnit):
        return unit_code(obj) if obj.location else ""
    if isinstance(obj, Resource):  # placed where its unit stands
        return unit_code(obj.unit) if obj.unit_id else ""
    for path in CODE_PATHS.get(type(obj), ()):
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part, None) if value is not None else None
        if value:
            return str(value)
    return ""


def scope_filter(model: type[Model], scope: str) -> Q:
    """The rows of ``model`` inside ``scope`` (reads only: writes are refused, not filtered)."""
    if not scope:
        return Q()
    if model in (CoBuildingUnit, Resource):
        at = "location" if model is CoBuildingUnit else "unit__location"
        return Q(Exists(Community.objects.filter(code__startswith=scope,
                                                 geom__intersects=OuterRef(at))))
    paths = CODE_PATHS.get(model)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__startswith": scope})
    return q


def require_in_scope(user: Any, code: str, what: str = "") -> None:
    """Raise PermissionDenied unless ``code`` lies inside the user's scope."""
    scope = scope_of(user)
    if not covers(scope, code):
        raise PermissionDenied(_outside(scope, code or _("全市"), what))


def require_geometry_in_scope(user: Any, geom: Any) -> None:
    """Raise PermissionDenied unless ``geom`` lies inside the area of the user's scope.

    Codes say where an object is filed; this checks where an edit actually puts it (a center
    dragged into another street keeps its community until someone notices).
    """
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_outside(None, "", ""))
    if not scope:
        return
    table = scope_table(scope)
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_CoveredBy(ST_GeomFromEWKB(%s), ST_Buffer(geom::geography, %s)"
                    f"::geometry) FROM {table} WHERE code = %s",
                    [bytes(geom.ewkb), EDGE_TOLERANCE_M, scope])
        row = cur.fetchone()
    if not (row and row[0]):
        raise PermissionDenied(_outside(scope, _("新位置"), ""))


def require_perm(user: Any, perm: str) -> None:
    """Raise PermissionDenied without the permission."""
    if not user.has_perm(perm):
        raise PermissionDenied(_("没有权限 %(perm)s") % {"perm": perm})


def scope_for_read(user: Any, requested: str) -> str:
    """The scope a read uses: the user's own when none is asked, 403 when it reaches outside."""
    scope = scope_of(user)
    chosen = read_scope(scope, requested)
    if chosen is None:
        raise PermissionDenied(_outside(scope, requested or _("全市"), ""))
    return chosen


def _outside(scope: str | None, code: str, what: str) -> str:
    if scope is None:
        return _("此账号没有分配角色或工作范围，请联系管理员")
    return _("%(what)s%(code)s 不在您的工作范围 %(scope)s 内") % {
        "what": f"{what} " if what else "", "code": code, "scope": scope or _("全市")}
