"""三张清单 over the database: match a scope's open needs to resources (geo.analysis.matching),
save the proposals as projects, and count needs and projects per community."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils.translation import gettext as _

from geo.analysis.matching import MatchingProblem, MatchingResult, allowed_pairs
from geo.analysis.rules import RuleProfile
from geo.models import Community, Need, Project, ProjectMethod, ProjectStatus, Resource, audit
from geo.models.base import SRID
from geo.models.tables import sql
from geo.services.text import say

from .network import walk_or_straight

# Open needs of the year with what agreed projects have not yet covered.
NEEDS_SQL = sql("""
SELECT n.id, n.title, n.kind, n.quantity, ST_X(n.location), ST_Y(n.location), c.id, c.code,
       c.name, n.quantity - coalesce((SELECT sum(p.quantity) FROM {Project} p
                                      WHERE p.need_id = n.id
                                        AND p.status IN ('agreed', 'done')), 0)
FROM {Need} n JOIN {Community} c ON c.id = n.community_id
WHERE c.code LIKE %(like)s AND n.year = %(year)s AND n.status = 'open'
ORDER BY c.code, n.id
""")

# Active resources of the period of units standing in the scope or paired with one of its
# communities, with what agreed projects have not yet taken.
RESOURCES_SQL = sql("""
SELECT r.id, r.title, r.kind, r.capacity, ST_X(u.location), ST_Y(u.location), u.id, u.name,
       r.available_from, r.available_until,
       r.capacity - coalesce((SELECT sum(p.quantity) FROM {Project} p
                              WHERE p.resource_id = r.id
                                AND p.status IN ('agreed', 'done')), 0)
FROM {Resource} r JOIN {CoBuildingUnit} u ON u.id = r.unit_id
WHERE r.active AND NOT u.candidate
  AND r.available_from <= %(last)s AND r.available_until >= %(first)s
  AND (%(like)s = '%%'
       OR EXISTS (SELECT 1 FROM {Community} c WHERE c.code LIKE %(like)s
                  AND ST_Covers(c.geom, u.location))
       OR EXISTS (SELECT 1 FROM {Pairing} p JOIN {Community} c ON c.id = p.community_id
                  WHERE p.unit_id = u.id AND c.code LIKE %(like)s))
ORDER BY r.id
""")

PAIRED_SQL = sql("""
SELECT p.unit_id, p.community_id FROM {Pairing} p WHERE p.status IN ('confirmed', 'signed')
""")


@dataclass
class MatchingInputs:
    """The rows behind the problem's indices."""

    scope: str
    year: int
    needs: list[tuple[Any, ...]]
    resources: list[tuple[Any, ...]]
    problem: MatchingProblem
    metric: str


def build_matching(scope: str, year: int, profile: RuleProfile) -> MatchingInputs:
    """The scope's open needs of ``year`` and the resources that may serve them.

    A resource may serve a need of its own kind when its period overlaps the year and its
    unit is within the profile's walk (straight lines when no network is loaded).
    """
    params: dict[str, Any] = {"like": scope + "%", "year": year, "first": dt.date(year, 1, 1),
              "last": dt.date(year, 12, 31)}
    with connection.cursor() as cur:
        cur.execute(NEEDS_SQL, params)
        needs = [r for r in cur.fetchall() if r[9] > 0]
        cur.execute(RESOURCES_SQL, params)
        resources = [r for r in cur.fetchall() if r[10] > 0]
        cur.execute(PAIRED_SQL)
        paired_rows = set(cur.fetchall())
    limit = profile.lists_max_distance_m
    cost, metric = walk_or_straight([(r[4], r[5]) for r in resources],
                                    [(r[4], r[5]) for r in needs], limit)
    year_period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    ok = allowed_pairs([r[2] for r in resources], [r[2] for r in needs],
                       [(r[8], r[9]) for r in resources], [year_period] * len(needs))
    cost = np.where(ok, cost, np.inf)
    paired = np.array([[(r[6], n[6]) in paired_rows for n in needs] for r in resources],
                      dtype=bool).reshape(len(resources), len(needs))
    problem = MatchingProblem.from_cost_matrix(
        cost, [r[10] for r in resources], [n[9] for n in needs], paired,
        profile.lists_paired_factor, limit,
        resource_labels=[f"{r[7]}·{r[1]}" for r in resources],
        need_labels=[f"{n[8]}·{n[1]}" for n in needs])
    return MatchingInputs(scope, year, needs, resources, problem, metric)


def describe(inputs: MatchingInputs, result: MatchingResult) -> dict[str, Any]:
    """The proposals with names, the optimum beside the greedy baseline, and what stays
    unmet with its reason."""
    needs, res = inputs.needs, inputs.resources
    out: dict[str, Any] = {
        "scope": inputs.scope, "year": inputs.year, "metric": inputs.metric,
        "max_distance_m": inputs.problem.max_distance,
        "paired_factor": inputs.problem.paired_factor,
        "summary": result.summary(), "greedy": inputs.problem.greedy().summary(),
        "proposals": [
            {"need_id": needs[m.need][0], "need": needs[m.need][1],
             "community_code": needs[m.need][7], "community": needs[m.need][8],
             "resource_id": res[m.resource][0], "resource": res[m.resource][1],
             "unit": res[m.resource][7], "kind": needs[m.need][2], "quantity": m.quantity,
             "distance_m": round(m.metres, 1), "paired": m.paired,
             "from": [round(res[m.resource][4], 7), round(res[m.resource][5], 7)],
             "to": [round(needs[m.need][4], 7), round(needs[m.need][5], 7)]}
            for m in result.matches],
        "unmet": [say(t) for t in inputs.problem.unmet_reasons(result)],
    }
    out["fingerprint"] = fingerprint(out)
    return out


def fingerprint(out: dict[str, Any]) -> str:
    """A digest of the proposals: a save recomputes and must arrive at the same ones."""
    rows = [(p["need_id"], p["resource_id"], p["quantity"], p["distance_m"])
            for p in out["proposals"]]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def replace_proposals(inputs: MatchingInputs, result: MatchingResult) -> int:
    """Store the matches as proposed projects, replacing earlier proposals of these needs."""
    with transaction.atomic():
        Project.objects.filter(status=ProjectStatus.PROPOSED, need__year=inputs.year,
                               need__community__code__startswith=inputs.scope).delete()
        audit.bulk_create(Project, [
            Project(need=Need(pk=inputs.needs[m.need][0]),
                    resource=Resource(pk=inputs.resources[m.resource][0]),
                    quantity=m.quantity, distance_m=round(m.metres, 1), paired=m.paired,
                    method=ProjectMethod.OPTIMAL, source=f"match_lists:{inputs.metric}")
            for m in result.matches], reason=_("需求资源匹配"))
    return len(result.matches)


COUNTS_SQL = sql("""
WITH held AS (
  SELECT p.need_id,
         sum(p.quantity) FILTER (WHERE p.status IN ('agreed', 'done')) AS agreed,
         sum(p.quantity) FILTER (WHERE p.status = 'done') AS done,
         count(*) FILTER (WHERE p.status = 'proposed') AS proposed,
         count(*) FILTER (WHERE p.status IN ('agreed', 'done')) AS projects
  FROM {Project} p GROUP BY p.need_id)
SELECT c.code, c.name, count(n.id), coalesce(sum(n.quantity), 0),
       coalesce(sum(least(coalesce(h.agreed, 0), n.quantity)), 0),
       coalesce(sum(least(coalesce(h.done, 0), n.quantity)), 0),
       count(n.id) FILTER (WHERE coalesce(h.agreed, 0) >= n.quantity),
       coalesce(sum(h.proposed), 0), coalesce(sum(h.projects), 0)
FROM {Community} c JOIN {Need} n ON n.community_id = c.id AND n.status = 'open'
LEFT JOIN held h ON h.need_id = n.id
WHERE c.code LIKE %s AND n.year = %s
GROUP BY c.code, c.name ORDER BY c.code
""")


def list_counts(scope: str, year: int) -> list[dict[str, Any]]:
    """Per community with open needs in ``year``: needs, quantity wanted, agreed and done,
    needs fully covered, proposals awaiting review and projects; the share covered."""
    with connection.cursor() as cur:
        cur.execute(COUNTS_SQL, [scope + "%", year])
        rows = cur.fetchall()
    return [{"code": code, "name": name, "needs": int(n), "wanted": int(q),
             "agreed": int(a), "done": int(d), "needs_covered": int(full),
             "proposed": int(prop), "projects": int(proj),
             "covered_share": round(int(a) / int(q), 4) if q else None}
            for code, name, n, q, a, d, full, prop, proj in rows]


def need_json(n: Need, held: int = 0) -> dict[str, Any]:
    """A need as the page and the API show it; ``held``: quantity agreed projects cover."""
    return {"id": n.pk, "community": n.community.code, "community_name": n.community.name,
            "year": n.year, "kind": n.kind, "kind_label": n.get_kind_display(),
            "title": n.title, "detail": n.detail, "quantity": n.quantity, "held": held,
            "lon": n.location.x, "lat": n.location.y, "status": n.status,
            "status_label": n.get_status_display(), "posted_on": n.posted_on.isoformat(),
            "version": n.version}


def resource_json(r: Resource, taken: int = 0) -> dict[str, Any]:
    """A resource as the page and the API show it; ``taken``: held by agreed projects."""
    return {"id": r.pk, "unit_id": r.unit_id, "unit": r.unit.name, "kind": r.kind,
            "kind_label": r.get_kind_display(), "title": r.title, "detail": r.detail,
            "capacity": r.capacity, "taken": taken, "lon": r.unit.location.x,
            "lat": r.unit.location.y, "available_from": r.available_from.isoformat(),
            "available_until": r.available_until.isoformat(), "active": r.active,
            "version": r.version}


def project_json(p: Project) -> dict[str, Any]:
    """A project with its need, resource, unit and where they stand."""
    n, r = p.need, p.resource
    return {"id": p.pk, "need_id": n.pk, "need": n.title, "community": n.community.code,
            "community_name": n.community.name, "resource_id": r.pk, "resource": r.title,
            "unit": r.unit.name, "kind": n.kind, "kind_label": n.get_kind_display(),
            "quantity": p.quantity, "distance_m": p.distance_m, "paired": p.paired,
            "method": p.method, "status": p.status, "status_label": p.get_status_display(),
            "decided_on": p.decided_on.isoformat() if p.decided_on else None,
            "done_on": p.done_on.isoformat() if p.done_on else None, "note": p.note,
            "from": [r.unit.location.x, r.unit.location.y],
            "to": [n.location.x, n.location.y], "version": p.version}


def held_quantities(need_ids: list[int], resource_ids: list[int]
                    ) -> tuple[dict[int, int], dict[int, int]]:
    """Quantity agreed projects hold per need and per resource."""
    from django.db.models import Sum

    held = Project.objects.filter(status__in=(ProjectStatus.AGREED, ProjectStatus.DONE))
    by_need = dict(held.filter(need_id__in=need_ids).values("need_id")
                   .annotate(n=Sum("quantity")).values_list("need_id", "n"))
    by_res = dict(held.filter(resource_id__in=resource_ids).values("resource_id")
                  .annotate(n=Sum("quantity")).values_list("resource_id", "n"))
    return by_need, by_res


def no_rows_message(inputs: MatchingInputs) -> str | None:
    """Why there is nothing to match, or None."""
    if not inputs.needs:
        return _("%(year)s 年范围内没有待对接的需求") % {"year": inputs.year}
    if not inputs.resources:
        return _("%(year)s 年范围内没有可用的资源") % {"year": inputs.year}
    return None


ANCHOR_SQL = sql("""
SELECT ST_X(a), ST_Y(a) FROM (
  SELECT coalesce(s.location, ST_PointOnSurface(c.geom)) AS a FROM {Community} c
  LEFT JOIN {CommunityOwnCenter} s ON s.community_id = c.id WHERE c.id = %s) x
""")


def community_anchor(comm: Community) -> Point:
    """Where a community's need is served unless placed: its own center, else inside it."""
    with connection.cursor() as cur:
        cur.execute(ANCHOR_SQL, [comm.pk])
        row = cur.fetchone()
    return Point(float(row[0]), float(row[1]), srid=SRID)
