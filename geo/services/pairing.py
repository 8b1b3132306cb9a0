"""Pair the database's co-building units with communities, optimally, and save proposals."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils.translation import gettext as _

from geo.analysis.nearest import walk_matrix
from geo.analysis.pairing import PairingProblem, PairingResult
from geo.analysis.projection import geodesic_matrix
from geo.analysis.rules import RuleProfile
from geo.models import CoBuildingUnit, Community, Pairing, audit
from geo.models.facilities import PairingMethod, PairingStatus
from geo.models.tables import sql

from .errors import NoData
from .network import LOCAL_MARGIN_M, scope_area, walk_graph
from .results import PairingAnswer

# The community's own center (the view of migration 0010), else a point inside.
COMMUNITIES_SQL = sql("""
SELECT c.id, c.code, c.name, c.households,
       coalesce(ST_X(s.location), ST_X(ST_PointOnSurface(c.geom))),
       coalesce(ST_Y(s.location), ST_Y(ST_PointOnSurface(c.geom))),
       s.center_id IS NOT NULL
FROM {Community} c
LEFT JOIN {CommunityOwnCenter} s ON s.community_id = c.id
WHERE c.code LIKE %s
ORDER BY c.code
""")

UNITS_SQL = sql("""
SELECT u.id, u.name, u.unit_type, u.capacity, ST_X(u.location), ST_Y(u.location)
FROM {CoBuildingUnit} u
WHERE (%s OR NOT u.candidate)
  AND (%s = '' OR EXISTS (SELECT 1 FROM {Community} c WHERE c.code LIKE %s
                          AND ST_Covers(c.geom, u.location))
       OR EXISTS (SELECT 1 FROM {Pairing} p JOIN {Community} c ON c.id = p.community_id
                  WHERE p.unit_id = u.id AND c.code LIKE %s))
ORDER BY u.id
""")


@dataclass
class PairingInputs:
    """The rows behind the problem's indices."""

    communities: list[tuple[Any, ...]]
    units: list[tuple[Any, ...]]
    problem: PairingProblem
    metric: str


def build_problem(scope: str, metric: str, profile: RuleProfile, max_per_community: int | None,
                  min_per_community: str, max_distance: float | None,
                  include_candidates: bool = False, local: bool = False) -> PairingInputs:
    """Distances and constraints of the scope's units and communities.

    With no ``max_distance`` the profile's ``pairing_max_distance_m`` applies: "nearest and
    convenient" never means a unit across the country. ``local``: walking distances over the
    network around the scope only (a region task's way, see ``coverage.measure``).
    """
    if max_distance is None:
        max_distance = profile.pairing_max_distance_m
    with connection.cursor() as cur:
        cur.execute(COMMUNITIES_SQL, [scope + "%"])
        comms = cur.fetchall()
        cur.execute(UNITS_SQL, [include_candidates, scope, scope + "%", scope + "%"])
        units = cur.fetchall()
        cur.execute(sql("""SELECT p.unit_id, p.community_id FROM {Pairing} p
                       WHERE p.status IN ('confirmed', 'signed')"""))
        locks_db = cur.fetchall()
    if not comms:
        raise NoData(_("范围内没有社区"))
    if not units:
        raise NoData(_("范围内没有共建单位"))
    c_xy = np.array([(r[4], r[5]) for r in comms], dtype=np.float64)
    u_xy = np.array([(r[4], r[5]) for r in units], dtype=np.float64)
    if metric == "walk":
        area = scope_area(scope, LOCAL_MARGIN_M) if local and scope else None
        cost = walk_matrix(walk_graph(area), u_xy, c_xy, limit=max_distance)
    else:
        cost = geodesic_matrix(u_xy, c_xy)
    u_index = {r[0]: i for i, r in enumerate(units)}
    c_index = {r[0]: j for j, r in enumerate(comms)}
    locked = [(u_index[u], c_index[c]) for u, c in locks_db if u in u_index and c in c_index]
    caps = [profile.pairing_cap_for(int(r[3]), max_per_community) for r in comms]
    problem = PairingProblem.from_cost_matrix(
        cost, [int(r[3]) for r in units], caps, 0, max_distance, locked)
    minimum = problem.auto_minimum() if min_per_community == "auto" else int(min_per_community)
    problem = PairingProblem.from_cost_matrix(
        cost, problem.unit_capacity, caps, np.minimum(minimum, caps), max_distance, locked,
        unit_labels=[f"{r[1]}" for r in units],
        community_labels=[f"{r[2]}（{r[1]}）" for r in comms])
    return PairingInputs(communities=comms, units=units, problem=problem, metric=metric)


def describe(inputs: PairingInputs, result: PairingResult) -> PairingAnswer:
    """A result as the command and the API print it, names instead of indices."""
    comms, units = inputs.communities, inputs.units
    counts = result.per_community
    return {
        "summary": result.summary(),
        "pairings": [
            {"unit_id": units[i][0], "unit": units[i][1], "community_code": comms[j][1],
             "community": comms[j][2], "distance_m": round(d, 1), "locked": lock,
             "from": [round(units[i][4], 7), round(units[i][5], 7)],
             "to": [round(comms[j][4], 7), round(comms[j][5], 7)]}
            for (i, j, d), lock in zip(result.pairs, result.locked, strict=True)
        ],
        "per_community": [
            {"code": r[1], "name": r[2], "households": r[3], "units": int(counts[j]),
             "cap": int(result.community_cap[j]), "min": int(result.community_min[j]),
             "target": "center" if r[6] else "interior_point"}
            for j, r in enumerate(comms)
        ],
    }


def propose(inputs: PairingInputs, profile: RuleProfile) -> tuple[PairingResult, PairingAnswer]:
    """The optimal pairing and its description beside the greedy baseline."""
    result = inputs.problem.solve()
    out = describe(inputs, result)
    out["greedy"] = inputs.problem.greedy().summary()
    out["profile"] = profile.name
    out["metric"] = inputs.metric
    return result, out


def fingerprint(out: PairingAnswer) -> str:
    """A digest of the proposed pairs: a save recomputes and must arrive at the same pairs."""
    pairs = [(p["unit_id"], p["community_code"], p["distance_m"]) for p in out["pairings"]]
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]


def replace_proposals(inputs: PairingInputs, result: PairingResult) -> int:
    """Store the optimal pairs as proposals, replacing earlier proposals in the scope."""
    comm_ids = [r[0] for r in inputs.communities]
    with transaction.atomic():
        Pairing.objects.filter(community_id__in=comm_ids,
                               status=PairingStatus.PROPOSED).delete()
        new = [
            Pairing(unit=CoBuildingUnit(pk=inputs.units[i][0]),
                    community=Community(pk=inputs.communities[j][0]), distance_m=d,
                    method=PairingMethod.OPTIMAL, status=PairingStatus.PROPOSED,
                    origin="generated", source=f"pair_units:{inputs.metric}")
            for (i, j, d), lock in zip(result.pairs, result.locked, strict=True) if not lock
        ]
        audit.bulk_create(Pairing, new, reason=_("结对方案"))
    return len(new)
