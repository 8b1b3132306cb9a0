"""Direction signs (指引牌) for a scope's licensed centers over the database: each center's
households (its nearest, within the sign reach), the walking graph with its main roads,
and what each sign says."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geo.analysis.network import NetworkError
from geo.analysis.rules import RuleProfile
from geo.analysis.signs import compass, plan_signs
from geo.models.tables import sql

from .coverage import measure

COMPASS = (gettext_lazy("北"), gettext_lazy("东北"), gettext_lazy("东"), gettext_lazy("东南"),
           gettext_lazy("南"), gettext_lazy("西南"), gettext_lazy("西"), gettext_lazy("西北"))
EDGES_SQL = sql("SELECT highway, name FROM {WalkEdge} ORDER BY id")


def scope_signs(scope: str, profile: RuleProfile) -> dict[str, Any]:
    """Sign sites for every licensed center that is nearest to some of the scope's homes."""
    rules = profile.signs
    m = measure(scope)
    graph = m.loaded.field.graph
    with connection.cursor() as cur:
        cur.execute(EDGES_SQL)
        edges = cur.fetchall()
    if len(edges) != graph.n_edges:
        raise NetworkError(_("路网刚刚变化，请稍后重试"))
    main = np.array([e[0] in rules.main_roads for e in edges], dtype=bool)
    xy = np.array([(b[1], b[2]) for b in m.buildings], dtype=np.float64).reshape(-1, 2)
    hh = np.array([b[3] for b in m.buildings], dtype=np.float64)
    near = m.distance <= rules.reach_m
    out: list[dict[str, Any]] = []
    for c in sorted({int(s) for s in m.source[near] if s >= 0}):
        row = m.loaded.centers[c]
        at = m.loaded.field.center_lonlat[c]
        mine = near & (m.source == c)
        plan = plan_signs(graph, (float(at[0]), float(at[1])), xy[mine], hh[mine], main, rules)
        out.append({
            "id": row.id, "name": row.name, "address": row.address,
            "opening_hours": row.opening_hours, "lon": float(at[0]), "lat": float(at[1]),
            "households_served": round(plan.households_served),
            "households_guided": round(plan.households_guided),
            "signs": [sign_json(s, row.name, row.opening_hours, edges[s.main_edge][1] or "")
                      for s in plan.sites]})
    return {"scope": scope, "profile": profile.name, "reach_m": rules.reach_m,
            "max_signs": rules.max_signs, "main_roads": list(rules.main_roads),
            "centers": out, "signs": sum(len(c["signs"]) for c in out)}


def sign_json(s: Any, name: str, hours: str, road: str) -> dict[str, Any]:
    """One sign: where, which way, how far, and the text to print."""
    metres = int(round(s.walk_m / 10.0) * 10)
    return {"lon": round(s.lon, 7), "lat": round(s.lat, 7), "road": road,
            "walk_m": metres, "bearing_deg": round(s.bearing_deg, 1),
            "route_bearing_deg": round(s.route_bearing_deg, 1),
            "direction": str(COMPASS[compass(s.route_bearing_deg)]),
            "households": round(s.households),
            "text": _("→ %(name)s %(metres)s 米") % {"name": name, "metres": metres},
            "hours": hours}
