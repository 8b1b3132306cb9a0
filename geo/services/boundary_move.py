"""Moving a point of a community's boundary: the neighbour communities and their grids follow."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point as GeosPoint
from django.db import transaction
from django.utils.translation import gettext as _

from geo.analysis.grid_edit import GridEditError, areas_m2, as_multi
from geo.analysis.rules import RuleProfile
from geo.analysis.shared_points import EPS, Point2, holds, move_shared
from geo.models import Community, GridChangeset, GridUnit

from .access import require_in_scope
from .grid_edit import Conflict, GridDraft, grid_feature, to_geos, to_shapely, write_grids

MAX_OVERLAP_M2 = 1.0  # what two communities may share after the move (rounding)


def move_boundary_point(community: Community, version: int, base: dict[int, int],
                        frm: Point2, to: Point2, user: Any,
                        profile: RuleProfile) -> list[GridChangeset]:
    """Move the point ``frm`` of ``community``'s boundary to ``to``, neighbours following.

    Every community of the same street holding the point moves it, and so does every grid
    of those communities; each community's grids are saved as one changeset
    (``reshape``). ``version`` is the community's version and ``base`` its grids' versions
    as the editor loaded them: a change since is a :class:`Conflict`. Refused: a point
    on the street's own boundary (the street is not edited here), a point of a community
    outside the user's scope, a move that makes a boundary cross itself, two communities
    overlap or a community leave its street, or grids that would no longer tile their
    community.
    """
    if frm == to:
        raise GridEditError("no_move", _("起点与终点相同，没有移动"))
    with transaction.atomic():
        near = GeosPoint(frm[0], frm[1], srid=4326)
        touching = [c for c in Community.objects.select_for_update()
                    .filter(geom__dwithin=(near, EPS * 10)).select_related("street")
                    .order_by("code") if holds(to_shapely(c.geom), frm)]
        me = next((c for c in touching if c.pk == community.pk), None)
        if me is None:
            raise GridEditError("not_on_boundary", _("该点不在社区 %(code)s 的边界上")
                                % {"code": community.code})
        if me.version != version:
            raise Conflict([community.code])
        for c in touching:
            require_in_scope(user, c.code, _("社区"))
        if (any(c.street_id != me.street_id for c in touching)
                or holds(to_shapely(me.street.geom), frm)):
            raise GridEditError("street_boundary", _(
                "该点在街道 %(street)s 的边界上：街道边界不在网格编辑中调整")
                % {"street": me.street.name})
        grids = {c.pk: {g.pk: g for g in GridUnit.objects.select_for_update()
                        .filter(community=c).order_by("code")} for c in touching}
        own = grids[me.pk]
        changed = sorted({g.code for pk, g in own.items() if base.get(pk) != g.version}
                         | {f"#{pk}" for pk in base if pk not in own})
        if changed:
            raise Conflict(changed, [grid_feature(g) for g in own.values()])
        moved = {c.pk: move_shared(to_shapely(c.geom), frm, to)[0] for c in touching}
        for c in touching:
            _refuse_shape(c, moved, me.street)
        note = _("社区边界调整：%(codes)s") % {"codes": "、".join(c.code for c in touching)}
        out = []
        for c in touching:
            drafts = [GridDraft(g.pk, move_shared(to_shapely(g.geom), frm, to)[0])
                      for g in grids[c.pk].values()]
            c.geom = to_geos(as_multi(moved[c.pk]))
            c.version += 1
            c.save()
            changeset = write_grids(c, grids[c.pk], drafts, "reshape", user, profile, note)
            if changeset is not None:
                out.append(changeset)
        return out


def _refuse_shape(community: Community, moved: dict[int, Any], street: Any) -> None:
    """Refuse a moved community that crosses itself, overlaps another or leaves its street."""
    mine = moved[community.pk]
    if not mine.is_valid:
        raise GridEditError("self_intersection", _(
            "移动后社区 %(name)s 的边界会自相交") % {"name": community.name})
    outside = mine.difference(to_shapely(street.geom))
    if not outside.is_empty and areas_m2([outside])[0] > MAX_OVERLAP_M2:
        raise GridEditError("outside_street", _(
            "移动后社区 %(name)s 会越出街道 %(street)s 的范围") % {
                "name": community.name, "street": street.name})
    _refuse_overlap(community, moved)


def _refuse_overlap(community: Community, moved: dict[int, Any]) -> None:
    """Refuse a moved boundary that runs into a community not holding the point."""
    mine = moved[community.pk]
    for other in Community.objects.filter(geom__intersects=to_geos(as_multi(mine))).exclude(
            pk=community.pk):
        theirs = moved.get(other.pk, to_shapely(other.geom))
        shared = mine.intersection(theirs)
        if not shared.is_empty and areas_m2([shared])[0] > MAX_OVERLAP_M2:
            raise GridEditError("overlap", _(
                "移动后社区 %(name)s 会与社区 %(other)s 重叠") % {"name": community.name,
                                                          "other": other.name})
