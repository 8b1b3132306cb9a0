"""Leaders linked to the communities of a scope (挂点联系) on a day, and their history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from geo.models import Community, Leader, LeaderLink


def leader_json(leader: Leader) -> dict[str, Any]:
    return {"id": leader.pk, "name": leader.name, "level": leader.level,
            "level_label": leader.get_level_display(), "position": leader.position,
            "district": leader.district.code if leader.district_id else None,
            "street": leader.street.code if leader.street else None,
            "version": leader.version}


def link_json(link: LeaderLink) -> dict[str, Any]:
    return {"id": link.pk, "leader": leader_json(link.leader), "community": link.community.code,
            "community_name": link.community.name, "since": link.since.isoformat(),
            "until": link.until.isoformat() if link.until else None, "note": link.note,
            "version": link.version}


def active_on(day: dt.date) -> Q:
    """Links in force on ``day``: started by then and not ended before it."""
    return Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))


def community_leaders(scope: str, day: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Per community code of ``scope``: the links in force on ``day`` (possibly none)."""
    out: dict[str, list[dict[str, Any]]] = {
        c: [] for c in Community.objects.filter(code__startswith=scope)
        .values_list("code", flat=True)}
    links = (LeaderLink.objects.filter(active_on(day), community__code__startswith=scope)
             .select_related("leader", "leader__district", "leader__street", "community")
             .order_by("community__code", "leader__level", "leader__name"))
    for link in links:
        out[link.community.code].append(link_json(link))
    return out


def without_leader(codes: Iterable[str], day: dt.date) -> list[str]:
    """The codes among ``codes`` with no leader linked on ``day`` (each weak community must
    have one)."""
    wanted = sorted(set(codes))
    linked = set(LeaderLink.objects.filter(active_on(day), community__code__in=wanted)
                 .values_list("community__code", flat=True))
    return [c for c in wanted if c not in linked]
