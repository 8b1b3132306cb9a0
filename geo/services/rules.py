"""Rule checks over the database: reporting members, facility ratio and grid checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.geometry
from django.db import connection, transaction

from geo.analysis.grid_checks import GridFinding, GridRecord, check_community_grids
from geo.analysis.members import member_load
from geo.analysis.projection import geodesic_matrix
from geo.analysis.rules import RuleProfile
from geo.models import ReportingMember
from geo.models.tables import sql
from geo.services.text import title_of

from .results import CommunityFinding, FacilityReport, Finding, GridChecksReport, MembersReport
from .text import say


def _communities(scope: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql("""SELECT c.id, c.code, c.name, c.households,
                              ST_X(ST_PointOnSurface(c.geom)), ST_Y(ST_PointOnSurface(c.geom))
                       FROM {Community} c WHERE c.code LIKE %s ORDER BY c.code"""),
                    [scope + "%"])
        return cur.fetchall()


def run_members(scope: str, profile: RuleProfile, save: bool = False) -> MembersReport:
    """Members per residence community against the reporting cap, with overflow suggestions."""
    comms = _communities(scope)
    index = {r[0]: j for j, r in enumerate(comms)}
    with connection.cursor() as cur:
        cur.execute(sql("""SELECT m.id, (SELECT c.id FROM {Community} c
                                     WHERE ST_Covers(c.geom, m.residence)
                                     ORDER BY c.code LIMIT 1)
                       FROM {ReportingMember} m ORDER BY m.id"""))
        members = cur.fetchall()
    res = np.array([index.get(c, -1) if c is not None else -1 for _, c in members],
                   dtype=np.int64)
    xy = np.array([(r[4], r[5]) for r in comms], dtype=np.float64).reshape(-1, 2)
    load = member_load(res, len(comms), profile.reporting_cap, geodesic_matrix(xy, xy))
    if save:
        with transaction.atomic():
            for (mid, cid) in members:
                ReportingMember.objects.filter(pk=mid).update(residence_community_id=cid)
    outside = int(sum(1 for _, c in members if c is None))
    return {
        "profile": profile.name, "scope": scope or None, "cap": profile.reporting_cap,
        "members_in_scope": int((res >= 0).sum()), "members_outside_every_community": outside,
        "communities": [
            {"code": r[1], "name": r[2], "members": int(load.counts[j]),
             "over_cap": bool(load.over[j]), "overflow": int(load.overflow[j]),
             "suggestions": [{"code": comms[k][1], "name": comms[k][2], "places": take,
                              "distance_m": round(d, 1)}
                             for k, take, d in load.suggestions.get(j, [])]}
            for j, r in enumerate(comms)
        ],
        "unplaced_overflow": load.unplaced,
    }


def run_facility(scope: str, profile: RuleProfile) -> FacilityReport:
    """Floor area per 100 households per community and each center against its level."""
    # pandas on use: check_grids and the members rule load this module and never need it.
    import pandas as pd

    from geo.analysis.facility import center_level_check, facility_ratio

    comms = _communities(scope)
    with connection.cursor() as cur:
        cur.execute(sql("""SELECT s.id, s.name, s.level, s.floor_area, s.comprehensive, c.code
                       FROM {ServiceCenter} s JOIN {Community} c ON c.id = s.community_id
                       WHERE c.code LIKE %s ORDER BY s.id"""), [scope + "%"])
        centers = pd.DataFrame(cur.fetchall(), columns=["id", "name", "level", "floor_area",
                                                        "comprehensive", "community_code"])
    frame = pd.DataFrame([(r[1], r[2], r[3]) for r in comms],
                         columns=["code", "name", "households"])
    ratio = facility_ratio(frame, centers, profile)
    ratio["name"] = frame["name"]
    levels = center_level_check(centers, profile)
    return {
        "profile": profile.name, "scope": scope or None,
        "profile_title": title_of(profile),
        "ratio_m2_per_100_households": profile.facility_ratio_m2_per_100_households,
        "min_m2": profile.facility_min_m2,
        "communities": _clean(ratio.to_dict(orient="records")),
        "centers": _clean(levels.to_dict(orient="records")),
    }


def finding_record(f: GridFinding) -> Finding:
    """A grid finding as JSON: kind, grids, message, area and polygon (GeoJSON)."""
    return {"kind": f.kind, "grids": list(f.codes), "message": say(f.message),
            "area_m2": None if f.area_m2 is None else round(f.area_m2, 2),
            "geometry": None if f.geom is None else shapely.geometry.mapping(f.geom)}


def run_grid_checks(scope: str, profile: RuleProfile) -> GridChecksReport:
    """Every grid rule of every community in scope; ``ok`` is False when any fails."""
    with connection.cursor() as cur:
        cur.execute(sql("""SELECT c.id, c.code, ST_AsBinary(c.geom) FROM {Community} c
                       WHERE c.code LIKE %s ORDER BY c.code"""), [scope + "%"])
        comms = cur.fetchall()
        cur.execute(sql("""SELECT g.community_id, g.code, ST_AsBinary(g.geom), g.households,
                       g.zone_type FROM {GridUnit} g JOIN {Community} c ON c.id = g.community_id
                       WHERE c.code LIKE %s ORDER BY g.code"""), [scope + "%"])
        grids = cur.fetchall()
    by_comm: dict[int, list[GridRecord]] = {}
    for cid, code, wkb, hh, kind in grids:
        by_comm.setdefault(cid, []).append(GridRecord(code, shapely.from_wkb(bytes(wkb)), hh,
                                                      kind))
    findings: list[CommunityFinding] = []
    for cid, code, wkb in comms:
        for f in check_community_grids(code, shapely.from_wkb(bytes(wkb)),
                                       by_comm.get(cid, []), profile.grid_households):
            findings.append({"community_code": code, **finding_record(f)})
    kinds: dict[str, int] = {}
    for rec in findings:
        kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
    return {"profile": profile.name, "scope": scope or None, "communities": len(comms),
            "grids": len(grids), "ok": not findings, "counts": kinds, "findings": findings}


def _clean(records: list[dict[Any, Any]]) -> list[dict[str, Any]]:
    """NaN to None and numpy scalars to Python, for JSON."""
    out = []
    for rec in records:
        row = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float):
                v = None if not np.isfinite(v) else round(v, 2)
            row[k] = v
        out.append(row)
    return out
