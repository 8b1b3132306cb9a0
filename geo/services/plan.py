"""What the grid editor reads: a community's working state, live checks of drafts, history."""

from __future__ import annotations

from typing import Any, TypedDict

import shapely.geometry
from django.db.models import Exists, OuterRef
from django.utils import timezone

from geo.analysis.rules import RuleProfile
from geo.models import Community, GridChange, GridChangeset, GridUnit, ProposalDraft

from .grid_edit import (
    GridDraft,
    draft_kinds,
    findings_for,
    grid_feature,
    next_codes,
    recount,
    to_shapely,
)


class CommunityOutline(TypedDict):
    code: str
    name: str
    households: int
    geometry: dict[str, Any]
    version: int


class FeatureCollection(TypedDict):
    type: str
    features: list[dict[str, Any]]


class DraftSummary(TypedDict):
    """A kept proposal the editor can open (newest first)."""

    id: int
    at: str
    grids: int
    note: str


class EditorState(TypedDict):
    """A community as the editor loads it: ``base`` maps grid ids to the versions loaded."""

    community: CommunityOutline
    grids: FeatureCollection
    base: dict[str, int]
    households_range: list[int]
    drafts: list[DraftSummary]


class SavedState(EditorState):
    """The state after a save or a revert, with the changeset it made (None: nothing changed)."""

    changeset: int | None


class DraftCheck(TypedDict):
    """Households per drafted grid, the codes they would get, and every finding."""

    households: list[int]
    estimated: bool
    codes: list[str]
    findings: list[dict[str, Any]]


class ChangedGrid(TypedDict):
    code: str
    after_households: int | None


class GridChangeRecord(TypedDict):
    """One saved change of a grid; ``together`` lists every grid its changeset touched."""

    changeset: int
    operation: str
    operation_label: str
    user: str | None
    at: str
    before_households: int | None
    after_households: int | None
    before_version: int | None
    after_version: int | None
    note: str
    reverted: bool
    together: list[ChangedGrid]


class GridHistory(TypedDict):
    code: str
    changes: list[GridChangeRecord]


def features(grids: list[dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": grids}


def editor_state(community: Community, profile: RuleProfile) -> EditorState:
    """The community's boundary, its grids with versions, and the households range."""
    grids = list(GridUnit.objects.filter(community=community).order_by("code"))
    low, high = profile.grid_households
    return {
        "community": {"code": community.code, "name": community.name,
                      "households": community.households,
                      "geometry": dict(shapely.geometry.mapping(to_shapely(community.geom))),
                      "version": community.version},
        "grids": features([grid_feature(g) for g in grids]),
        "base": {str(g.pk): g.version for g in grids},
        "households_range": [low, high],
        "drafts": [{"id": d.pk, "at": timezone.localtime(d.created_at).isoformat(),
                    "grids": len(d.grids), "note": d.note}
                   for d in ProposalDraft.objects.filter(community=community)[:20]],
    }


def check_drafts(community: Community, drafts: list[GridDraft],
                 profile: RuleProfile) -> DraftCheck:
    """Households and findings of a working copy, without saving anything.

    Kept grids keep their codes; new ones get the next free codes of the community.
    """
    current = list(GridUnit.objects.filter(community=community))
    by_id = {g.pk: g.code for g in current}
    kinds = draft_kinds(drafts, {g.pk: g for g in current})
    geoms = [d.geom for d in drafts]
    households, estimated = recount(community, geoms, current)
    kept = {by_id[d.id] for d in drafts if d.id in by_id}
    fresh = iter(next_codes(community, kept, sum(1 for d in drafts if d.id not in by_id)))
    codes = [by_id[d.id] if d.id in by_id else next(fresh) for d in drafts]
    return {"households": households, "estimated": estimated, "codes": codes,
            "findings": findings_for(community, codes, geoms, households, profile, kinds)}


def grid_history(code: str, limit: int = 200) -> GridHistory:
    """Every saved change of one grid (by code), newest first, with who and when."""
    query = (GridChange.objects.filter(code=code)
               .select_related("changeset", "changeset__user")
               .annotate(reverted=Exists(GridChangeset.objects.filter(
                   reverts=OuterRef("changeset"))))
               .order_by("-changeset__created_at", "-id"))
    changes = list(query[:limit])
    # Every grid of those changesets: a split reads "001 → 001, 006 (444 → 210 + 234)".
    together: dict[int, list[ChangedGrid]] = {}
    for g in (GridChange.objects.filter(changeset_id__in={c.changeset_id for c in changes})
              .order_by("code")):
        together.setdefault(g.changeset_id, []).append(
            {"code": g.code, "after_households": g.after_households})
    return {"code": code, "changes": [{
        "changeset": c.changeset_id, "operation": c.changeset.operation,
        "operation_label": c.changeset.get_operation_display(),
        "user": c.changeset.user.get_username() if c.changeset.user else None,
        # Beijing time with its offset: the page shows the clock people read.
        "at": timezone.localtime(c.changeset.created_at).isoformat(),
        "before_households": c.before_households, "after_households": c.after_households,
        "before_version": c.before_version, "after_version": c.after_version,
        "note": c.changeset.note,
        "reverted": bool(c.reverted),
        "together": together.get(c.changeset_id, []),
    } for c in changes]}
