"""Direction signs (指引牌) for a scope's licensed centers over the database: each center's
households (its nearest, within the sign reach), the walking graph with its main roads,
signs already approved or standing, and what each sign says; saving a plan as proposals."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geo.analysis.network import NetworkError
from geo.analysis.rules import RuleProfile
from geo.analysis.signs import SignSite, compass, plan_signs
from geo.models import DirectionSign, ServiceCenter, SignStatus, audit
from geo.models.base import SRID
from geo.models.signs import KEPT
from geo.models.tables import sql

from .access import scope_filter
from .coverage import Measured, measure

COMPASS = (gettext_lazy("北"), gettext_lazy("东北"), gettext_lazy("东"), gettext_lazy("东南"),
           gettext_lazy("南"), gettext_lazy("西南"), gettext_lazy("西"), gettext_lazy("西北"))
EDGES_SQL = sql("SELECT highway, name FROM {WalkEdge} ORDER BY id")


def scope_signs(scope: str, profile: RuleProfile,
                measured: Measured | None = None) -> dict[str, Any]:
    """For every licensed center of the scope nearest to some of its homes: the signs stored
    for it, and the new sites the plan adds around those approved or standing."""
    rules = profile.signs
    m = measured or measure(scope)
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
    # Only the scope's own centers: a sign is planned, approved and paid for by those who
    # answer for the center (homes over the scope's edge are not counted: a known limit).
    own = set(ServiceCenter.objects.filter(scope_filter(ServiceCenter, scope))
              .values_list("pk", flat=True))
    picked = sorted({int(s) for s in m.source[near] if s >= 0
                     and m.loaded.centers[int(s)].id in own})
    stored: dict[int, list[DirectionSign]] = {}
    for s in DirectionSign.objects.filter(
            center_id__in=[m.loaded.centers[c].id for c in picked]).exclude(
            status=SignStatus.REMOVED).order_by("-households", "pk"):
        stored.setdefault(s.center_id, []).append(s)
    out: list[dict[str, Any]] = []
    for c in picked:
        row = m.loaded.centers[c]
        at = m.loaded.field.center_lonlat[c]
        mine = near & (m.source == c)
        kept = [(s.location.x, s.location.y) for s in stored.get(row.id, [])
                if s.status in KEPT]
        plan = plan_signs(graph, (float(at[0]), float(at[1])), xy[mine], hh[mine], main,
                          rules, kept)
        out.append({
            "id": row.id, "name": row.name, "address": row.address,
            "opening_hours": row.opening_hours, "lon": float(at[0]), "lat": float(at[1]),
            "households_served": round(plan.households_served),
            "households_guided": round(plan.households_guided) + sum(
                s.households for s in stored.get(row.id, []) if s.status in KEPT),
            "signs": [sign_json(s, row.name, row.opening_hours, edges[s.main_edge][1] or "")
                      for s in plan.sites],
            "stored": [stored_json(s) for s in stored.get(row.id, [])]})
    answer = {"scope": scope, "profile": profile.name, "reach_m": rules.reach_m,
              "max_signs": rules.max_signs, "main_roads": list(rules.main_roads),
              "centers": out, "signs": sum(len(c["signs"]) for c in out)}
    answer["fingerprint"] = fingerprint(answer)
    return answer


def sign_json(s: SignSite, name: str, hours: str, road: str) -> dict[str, Any]:
    """One planned sign: where, which way, how far, and the text to print."""
    metres = int(round(s.walk_m / 10.0) * 10)
    return {"lon": round(s.lon, 7), "lat": round(s.lat, 7), "road": road,
            "walk_m": metres, "bearing_deg": round(s.bearing_deg, 1),
            "route_bearing_deg": round(s.route_bearing_deg, 1),
            "direction": str(COMPASS[compass(s.route_bearing_deg)]),
            "households": round(s.households),
            "text": _("→ %(name)s %(metres)s 米") % {"name": name, "metres": metres},
            "hours": hours}


def stored_json(s: DirectionSign) -> dict[str, Any]:
    """A stored sign with its status and version (for review)."""
    return {"id": s.pk, "lon": s.location.x, "lat": s.location.y, "road": s.road,
            "walk_m": s.walk_m, "bearing_deg": s.bearing_deg,
            "route_bearing_deg": s.route_bearing_deg,
            "direction": str(COMPASS[compass(s.route_bearing_deg)]),
            "households": s.households, "text": s.text, "status": s.status,
            "status_label": s.get_status_display(),
            "installed_on": s.installed_on.isoformat() if s.installed_on else None,
            "note": s.note, "version": s.version}


def fingerprint(out: dict[str, Any]) -> str:
    """A digest of the planned sites: a save recomputes and must arrive at the same ones."""
    rows = [(c["id"], s["lon"], s["lat"], s["walk_m"]) for c in out["centers"]
            for s in c["signs"]]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def save_plan(out: dict[str, Any], origin: str = "manual", source: str = "plan_signs") -> int:
    """Store the planned sites as proposals, replacing the centers' earlier proposals."""
    ids = [c["id"] for c in out["centers"]]
    centers = {c.pk: c for c in ServiceCenter.objects.filter(pk__in=ids)}
    new = [DirectionSign(center=centers[c["id"]], location=Point(s["lon"], s["lat"], srid=SRID),
                         road=s["road"][:100], walk_m=s["walk_m"],
                         bearing_deg=s["bearing_deg"],
                         route_bearing_deg=s["route_bearing_deg"],
                         households=s["households"], text=s["text"][:200],
                         origin=origin, source=source)
           for c in out["centers"] for s in c["signs"]]
    with transaction.atomic():
        DirectionSign.objects.filter(center_id__in=ids, status=SignStatus.PROPOSED).delete()
        audit.bulk_create(DirectionSign, new, reason=_("指引牌方案"))
    return len(new)


def sign_counts(out: dict[str, Any]) -> list[dict[str, Any]]:
    """Per center: households served and guided by the plan, and stored signs by status."""
    rows = []
    for c in out["centers"]:
        by = {k: sum(1 for s in c["stored"] if s["status"] == k) for k in
              ("proposed", "approved", "installed")}
        rows.append({"id": c["id"], "name": c["name"], "served": c["households_served"],
                     "planned": len(c["signs"]), "guided": c["households_guided"], **by})
    return rows
