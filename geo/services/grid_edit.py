"""Saving a community's grids as one atomic, version-checked changeset, and reverting one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import connection, transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geo.analysis.grid_checks import GridRecord, check_community_grids, reading_order
from geo.analysis.grid_edit import GridEditError, as_multi, households_by_area, households_by_grid
from geo.analysis.rules import RuleProfile
from geo.models import Community, GridChange, GridChangeset, GridUnit, ZoneType
from geo.models.tables import sql
from geo.services.rules import finding_record

# Findings that make a save impossible: the grids must still tile their community.
BLOCKING = ("overhang", "overlap", "gap", "code_format", "code_duplicate")


@dataclass
class GridDraft:
    """A grid as the editor submits it: ``id`` None for a new grid (its version is in ``base``)."""

    id: int | None
    geom: BaseGeometry
    name: str = ""
    code: str = ""
    zone_type: str = ""  # the grid's kind; empty keeps it (a new grid: residential)


@dataclass
class Conflict(Exception):
    """The community changed since the editor loaded it: its current grids, for a 409."""

    changed: list[str]
    current: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Rejected(Exception):
    """The grids would not tile the community: the blocking findings, for a 400."""

    findings: list[dict[str, Any]]


def grid_name(community: Community, code: str) -> str:
    """A new grid's name, as its siblings are named: 海棠社区第6网格 (the code's sequence)."""
    return f"{community.name}第{int(code[-3:])}网格"


def to_shapely(geom: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geom.wkb))


def to_geos(geom: BaseGeometry) -> MultiPolygon:
    out = GEOSGeometry(memoryview(shapely.to_wkb(as_multi(geom))), srid=4326)
    assert isinstance(out, MultiPolygon)
    return out


def grid_feature(g: GridUnit) -> dict[str, Any]:
    """A grid as GeoJSON for the editor."""
    return {"type": "Feature", "id": g.pk,
            "geometry": shapely.geometry.mapping(to_shapely(g.geom)),
            "properties": {"id": g.pk, "code": g.code, "name": g.name, "version": g.version,
                           "households": g.households, "zone_type": g.zone_type,
                           "leader": g.leader}}


def _buildings(community: Community) -> tuple[list[BaseGeometry], list[int]]:
    """Interior points and households of the buildings meeting the community."""
    with connection.cursor() as cur:
        cur.execute(sql("""SELECT ST_AsBinary(ST_PointOnSurface(b.geom)), b.households
                       FROM {Building} b JOIN {Community} c ON ST_Intersects(b.geom, c.geom)
                       WHERE c.id = %s"""), [community.pk])
        rows = cur.fetchall()
    return [shapely.from_wkb(bytes(wkb)) for wkb, _ in rows], [int(h) for _, h in rows]


def recount(community: Community, geoms: list[BaseGeometry],
            current: list[GridUnit]) -> tuple[list[int], bool]:
    """Households of each drafted grid, and whether they are estimated.

    From buildings when the community has any with households; else shared out from the
    current grids by overlapping area (estimated).
    """
    pts, hh = _buildings(community)
    if pts and sum(hh):
        return households_by_grid(geoms, pts, hh), False
    return (households_by_area(geoms, [to_shapely(g.geom) for g in current],
                               [g.households for g in current]), True)


def findings_for(community: Community, codes: list[str], geoms: list[BaseGeometry],
                 households: list[int], profile: RuleProfile,
                 kinds: list[str] | None = None) -> list[dict[str, Any]]:
    """Every grid check over the drafted grids, as JSON-ready dicts."""
    records = [GridRecord(c, g, h, k) for c, g, h, k in zip(
        codes, geoms, households, kinds or ["residential"] * len(codes), strict=True)]
    return [{**finding_record(f), "blocking": f.kind in BLOCKING}
            for f in check_community_grids(community.code, to_shapely(community.geom), records,
                                           profile.grid_households)]


def draft_kinds(drafts: list[GridDraft], current: dict[int, GridUnit]) -> list[str]:
    """Each draft's kind: as drafted, else the saved grid's, else residential."""
    return [d.zone_type or (current[d.id].zone_type if d.id in current else "")
            or ZoneType.RESIDENTIAL for d in drafts]


def next_codes(community: Community, taken: set[str], n: int) -> list[str]:
    """``n`` unused 3-digit sequence codes under the community, after the highest in use."""
    used = {int(c[-3:]) for c in taken if c.startswith(community.code) and c[-3:].isdigit()}
    used |= {int(c[-3:]) for c in GridUnit.objects.filter(code__startswith=community.code)
             .values_list("code", flat=True)}
    out: list[str] = []
    seq = max(used, default=0)
    while len(out) < n:
        seq += 1
        if seq > 999:
            raise GridEditError("codes_exhausted", _("社区 %(code)s 的三位网格序号已用尽")
                                % {"code": community.code})
        if seq not in used:
            out.append(f"{community.code}{seq:03d}")
    return out


def save_grids(community: Community, base: dict[int, int], drafts: list[GridDraft],
               operation: str, user: AbstractBaseUser | AnonymousUser | None,
               profile: RuleProfile, note: str = "") -> GridChangeset | None:
    """Replace the community's grids by ``drafts`` as one changeset, or change nothing.

    ``base`` maps each grid id the editor loaded to its version then; ``drafts`` is the
    whole working copy (a grid of ``base`` left out is deleted). If the community's grids
    are no longer exactly ``base`` (one changed, was added or deleted since), the save is a
    :class:`Conflict`; grids that would not tile the community make it :class:`Rejected`.
    Rows are locked (``SELECT … FOR UPDATE``) for the check and the write.
    """
    with transaction.atomic():
        current = {g.pk: g for g in GridUnit.objects.select_for_update()
                   .filter(community=community).order_by("code")}
        now = {pk: g.version for pk, g in current.items()}
        changed = sorted({current[pk].code for pk in now if base.get(pk) != now[pk]}
                         | {f"#{pk}" for pk in base if pk not in now})
        unknown = [d.id for d in drafts if d.id is not None and d.id not in base]
        if unknown:
            raise GridEditError("unknown_grid", _("网格 %(ids)s 不在加载的版本中")
                                % {"ids": unknown})
        if changed:
            raise Conflict(changed, [grid_feature(g) for g in current.values()])
        return write_grids(community, current, drafts, operation, user, profile, note)


def write_grids(community: Community, current: dict[int, GridUnit], drafts: list[GridDraft],
           operation: str, user: AbstractBaseUser | AnonymousUser | None,
           profile: RuleProfile, note: str) -> GridChangeset | None:
    geoms = [as_multi(shapely.make_valid(d.geom)) for d in drafts]
    households, estimated = recount(community, geoms, list(current.values()))
    keep_codes = {current[d.id].code for d in drafts if d.id is not None}
    # A new grid may ask for a code (a revert restores a deleted grid's own code).
    wanted = {d.code for d in drafts if d.id is None and d.code} - keep_codes
    fresh = iter(next_codes(community, keep_codes | wanted,
                            sum(1 for d in drafts if d.id is None and d.code not in wanted)))
    codes = [current[d.id].code if d.id is not None
             else d.code if d.code in wanted else next(fresh) for d in drafts]
    blocking = [f for f in findings_for(community, codes, geoms, households, profile,
                                        draft_kinds(drafts, current)) if f["blocking"]]
    if blocking:
        raise Rejected(blocking)
    changeset = GridChangeset(community=community, operation=operation, note=note[:200],
                              user=user if user is not None and user.is_authenticated
                              else None)  # type: ignore[misc]
    changes: list[GridChange] = []
    kept: set[int] = set()
    for d, geom, hh, code in zip(drafts, geoms, households, codes, strict=True):
        new_geom = to_geos(geom)
        if d.id is None:
            g = GridUnit(community=community, code=code, name=d.name or grid_name(community, code),
                         geom=new_geom, households=hh, households_estimated=estimated,
                         zone_type=d.zone_type or ZoneType.RESIDENTIAL)
            changes.append(GridChange(grid=g, code=code, name=g.name, after_geom=new_geom,
                                      after_households=hh, after_version=1))
            g.full_clean()
            g.save()
            continue
        g = current[d.id]
        kept.add(g.pk)
        same_shape = to_shapely(g.geom).equals_exact(geom, 1e-9)
        same_kind = not d.zone_type or d.zone_type == g.zone_type
        if same_shape and same_kind and g.households == hh and (not d.name or d.name == g.name):
            continue
        changes.append(GridChange(grid=g, code=g.code, name=d.name or g.name,
                                  before_geom=g.geom, before_households=g.households,
                                  before_version=g.version, after_geom=new_geom,
                                  after_households=hh, after_version=g.version + 1))
        g.geom, g.households, g.version = new_geom, hh, g.version + 1
        g.households_estimated = estimated
        if d.name:
            g.name = d.name
        if d.zone_type:
            g.zone_type = d.zone_type
        g.save()
    for pk, g in current.items():
        if pk not in kept:
            changes.append(GridChange(grid=None, code=g.code, name=g.name, before_geom=g.geom,
                                      before_households=g.households,
                                      before_version=g.version))
            g.delete()
    if not changes:
        return None
    changeset.save()
    for c in changes:
        c.changeset = changeset
    GridChange.objects.bulk_create(changes)
    return changeset


def renumber(community: Community, base: dict[int, int],
             user: AbstractBaseUser | AnonymousUser | None) -> GridChangeset | None:
    """Codes 001, 002, … in reading order (west→east, north→south), as one changeset.

    ``base`` maps each grid id to the version the planner saw (a :class:`Conflict` when the
    grids changed since). Each grid keeps its row, so whatever refers to it (members,
    events, history) follows; a name that was the default for the old code takes the new
    code's. Nothing changes when the codes are already in order.
    """
    with transaction.atomic():
        current = list(GridUnit.objects.select_for_update().filter(community=community)
                       .order_by("code"))
        stale = sorted(g.code for g in current if base.get(g.pk) != g.version)
        if stale or set(base) - {g.pk for g in current}:
            raise Conflict(stale or ["#" + str(pk) for pk in set(base) - {g.pk for g in current}],
                           [grid_feature(g) for g in current])
        order = reading_order([to_shapely(g.geom) for g in current])
        mapping = {current[i].pk: f"{community.code}{n + 1:03d}" for n, i in enumerate(order)}
        return _recode(community, current, mapping, "renumber", user,
                       _("按阅读顺序重新编号"))


def _recode(community: Community, current: list[GridUnit], mapping: dict[int, str],
            operation: str, user: AbstractBaseUser | AnonymousUser | None,
            note: str) -> GridChangeset | None:
    """Give each grid of ``current`` its code in ``mapping`` (grid id → code)."""
    moving = [g for g in current if mapping.get(g.pk, g.code) != g.code]
    if not moving:
        return None
    old = {g.pk: g.code for g in moving}
    # Free the codes first: a swap would trip the unique code. No real code starts with 9.
    for g in moving:
        GridUnit.objects.filter(pk=g.pk).update(code=f"9{g.pk:014d}")
    changeset = GridChangeset.objects.create(
        community=community, operation=operation, note=note[:200],
        user=user if user is not None and user.is_authenticated else None)  # type: ignore[misc]
    changes = []
    for g in moving:
        new = mapping[g.pk]
        if g.name == grid_name(community, old[g.pk]):
            g.name = grid_name(community, new)
        g.code, g.version = new, g.version + 1
        g.save()
        changes.append(GridChange(changeset=changeset, grid=g, code=new, before_code=old[g.pk],
                                  name=g.name, before_geom=g.geom, after_geom=g.geom,
                                  before_households=g.households,
                                  after_households=g.households,
                                  before_version=g.version - 1, after_version=g.version))
    GridChange.objects.bulk_create(changes)
    return changeset


def revert_changeset(changeset: GridChangeset, user: AbstractBaseUser | AnonymousUser | None,
                     profile: RuleProfile) -> GridChangeset | None:
    """Put the grids a changeset touched back as they were, as a new changeset.

    Refused as a :class:`Conflict` when any of those grids changed again since: revert the
    later changes first.
    """
    community = changeset.community
    with transaction.atomic():
        current = list(GridUnit.objects.select_for_update().filter(community=community)
                       .order_by("code"))
        by_code = {g.code: g for g in current}
        moved = []
        for c in changeset.changes.all():
            now = by_code.get(c.code)
            if (now.version if now else None) != c.after_version:
                moved.append(c.code)
        if moved:
            raise Conflict(sorted(moved), [grid_feature(g) for g in current])
        if changeset.operation == "renumber":  # codes back, shapes untouched
            back = {by_code[c.code].pk: c.before_code for c in changeset.changes.all()}
            result = _recode(community, current, back, "revert", user,
                             _("撤销变更 #%(id)s") % {"id": changeset.pk})
            if result is not None:
                result.reverts = changeset
                result.save(update_fields=["reverts"])
            return result
        restore = {c.code: c for c in changeset.changes.all()}
        drafts: list[GridDraft] = []
        for g in current:
            change = restore.get(g.code)
            if change is None:
                drafts.append(GridDraft(g.pk, to_shapely(g.geom)))
            elif change.before_geom is not None:
                drafts.append(GridDraft(g.pk, to_shapely(change.before_geom), change.name))
        drafts += [GridDraft(None, to_shapely(c.before_geom), c.name, c.code)
                   for c in restore.values() if c.after_geom is None and c.before_geom]
        result = write_grids(community, {g.pk: g for g in current}, drafts, "revert", user,
                        profile, _("撤销变更 #%(id)s") % {"id": changeset.pk})
        if result is not None:
            result.reverts = changeset
            result.save(update_fields=["reverts"])
        return result
