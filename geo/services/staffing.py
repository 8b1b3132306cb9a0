"""Posts, social workers, funds, street party staff and center areas of one year, checked."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import connection

from geo.analysis.rules import RuleProfile
from geo.analysis.staffing import check_communities, street_party_staff_short
from geo.models.tables import sql

COMMUNITIES_SQL = sql("""
SELECT c.code, c.name, s.code, s.name, c.households, f.posts, f.social_workers, f.funds_yuan,
       f.id, f.version
FROM {Community} c JOIN {Street} s ON s.id = c.street_id
LEFT JOIN {CommunityStaffing} f ON f.community_id = c.id AND f.year = %s
WHERE c.code LIKE %s ORDER BY c.code
""")

# Streets of the scope: those under it, and the one a street or community scope lies in.
STREETS_SQL = sql("""
SELECT s.code, s.name, f.party_staff, f.id, f.version FROM {Street} s
LEFT JOIN {StreetStaffing} f ON f.street_id = s.id AND f.year = %s
WHERE s.code LIKE %s OR %s LIKE s.code || '%%' ORDER BY s.code
""")

CENTERS_SQL = sql("""
SELECT s.level, s.floor_area, s.comprehensive, c.code
FROM {ServiceCenter} s JOIN {Community} c ON c.id = s.community_id WHERE c.code LIKE %s
""")


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _centers_short(scope: str, profile: RuleProfile) -> dict[str, tuple[int, float]]:
    """Per community code: centers below their level's area, and the m² they lack."""
    import pandas as pd

    from geo.analysis.facility import center_level_check

    with connection.cursor() as cur:
        cur.execute(CENTERS_SQL, [scope + "%"])
        frame = pd.DataFrame(cur.fetchall(),
                             columns=["level", "floor_area", "comprehensive", "code"])
    if frame.empty:
        return {}
    checked = center_level_check(frame, profile)
    short = checked[~checked["meets"]]
    return {str(code): (len(g), float(g["shortfall_m2"].sum()))
            for code, g in short.groupby("code")}


def run_staffing(scope: str, year: int, profile: RuleProfile) -> dict[str, Any]:
    """Every community's and street's figures of ``year`` against the profile's staffing rules.

    Communities that reported nothing are listed as ``reported: false`` (a gap to chase,
    not a pass). Center areas by level come from the centers as they are now.
    """
    rules = profile.staffing
    with connection.cursor() as cur:
        cur.execute(COMMUNITIES_SQL, [year, scope + "%"])
        comms = cur.fetchall()
        cur.execute(STREETS_SQL, [year, scope[:9] + "%", scope])
        streets = cur.fetchall()
    check = check_communities([r[4] for r in comms], [_num(r[5]) for r in comms],
                              [_num(r[6]) for r in comms], [_num(r[7]) for r in comms], rules)
    centers = _centers_short(scope, profile)
    comm_rows = []
    for i, r in enumerate(comms):
        n_short, m2_short = centers.get(r[0], (0, 0.0))
        comm_rows.append({
            "code": r[0], "name": r[1], "street_code": r[2], "street_name": r[3],
            "households": int(r[4]), "reported": bool(check.reported[i]),
            "posts": r[5], "social_workers": r[6],
            "funds_yuan": None if r[7] is None else float(r[7]),
            "funds_required_yuan": float(check.funds_required[i]),
            "posts_short": int(check.posts_short[i]), "posts_over": int(check.posts_over[i]),
            "workers_short": int(check.workers_short[i]),
            "workers_over": int(check.workers_over[i]),
            "funds_short_yuan": float(check.funds_short[i]),
            "centers_below_level": n_short, "center_area_short_m2": round(m2_short, 1),
            "ok": bool(check.ok[i]) and n_short == 0,
            "id": r[8], "version": r[9]})
    short = street_party_staff_short([_num(r[2]) for r in streets], rules)
    street_rows = []
    for j, r in enumerate(streets):
        mine = [c for c in comm_rows if c["street_code"] == r[0]]
        street_rows.append({
            "code": r[0], "name": r[1], "party_staff": r[2], "reported": r[2] is not None,
            "party_staff_short": int(short[j]),
            "ok": r[2] is not None and int(short[j]) == 0,
            "communities": len(mine),
            "communities_reported": sum(c["reported"] for c in mine),
            "communities_ok": sum(c["ok"] for c in mine),
            "posts_short": sum(c["posts_short"] for c in mine),
            "workers_short": sum(c["workers_short"] for c in mine),
            "funds_short_yuan": sum(c["funds_short_yuan"] for c in mine),
            "id": r[3], "version": r[4]})
    funds = np.array([c["funds_short_yuan"] for c in comm_rows])
    return {
        "scope": scope or None, "year": year, "profile": profile.name,
        "rules": {"posts": list(rules.posts), "social_workers": list(rules.social_workers),
                  "street_party_staff_min": rules.street_party_staff_min,
                  "funds_by_households": [{"households_at_least": s.households_at_least,
                                           "min_yuan": s.min_yuan} for s in rules.funds]},
        "summary": {
            "communities": len(comm_rows),
            "reported": sum(c["reported"] for c in comm_rows),
            "ok": sum(c["ok"] for c in comm_rows),
            "posts_short": sum(1 for c in comm_rows if c["posts_short"]),
            "workers_short": sum(1 for c in comm_rows if c["workers_short"]),
            "workers_over": sum(1 for c in comm_rows if c["workers_over"]),
            "funds_short": int((funds > 0).sum()),
            "funds_short_yuan": float(funds.sum()),
            "centers_below_level": sum(c["centers_below_level"] for c in comm_rows),
            "streets": len(street_rows),
            "streets_reported": sum(r["reported"] for r in street_rows),
            "streets_party_staff_short": sum(1 for r in street_rows if r["party_staff_short"]),
        },
        "communities": comm_rows,
        "streets": street_rows,
    }
