"""Micro-wishes over the database: the public board near a place, claimant suggestions by
walking distance and category, and per-community counts for the report and the stars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import connection

from geo.analysis.personal import mask_name
from geo.analysis.wishes import FITTING_UNITS, rank_claimants
from geo.models import Wish, WishStatus
from geo.models.tables import sql

from .network import walk_or_straight

# The public sees where a wish is only to about 100 m: enough to find it near home, not
# enough to find the door of a resident in need.
PUBLIC_DECIMALS = 3
SUGGEST_WITHIN_M = 3_000.0

NEARBY_SQL = sql("""
SELECT w.id, w.category, w.text, w.person, ST_X(w.location), ST_Y(w.location), w.posted_on,
       c.name, ST_Distance(w.location::geography, ST_MakePoint(%(lon)s, %(lat)s)::geography)
FROM {Wish} w JOIN {Community} c ON c.id = w.community_id
WHERE w.status = 'open'
  AND ST_DWithin(w.location::geography, ST_MakePoint(%(lon)s, %(lat)s)::geography, %(r)s)
ORDER BY 9, w.id LIMIT %(limit)s
""")


def nearby_open(lon: float, lat: float, radius_m: float, limit: int) -> list[dict[str, Any]]:
    """Open wishes within ``radius_m`` of a place, nearest first, masked for the public."""
    with connection.cursor() as cur:
        cur.execute(NEARBY_SQL, {"lon": lon, "lat": lat, "r": radius_m, "limit": limit})
        rows = cur.fetchall()
    return [{"id": r[0], "category": r[1], "text": r[2], "person": mask_name(r[3]),
             "lon": round(r[4], PUBLIC_DECIMALS), "lat": round(r[5], PUBLIC_DECIMALS),
             "posted_on": r[6].isoformat(), "community": r[7],
             "distance_m": round(float(r[8]) / 50) * 50} for r in rows]


MEMBERS_SQL = sql("""
SELECT m.id, m.name, ST_X(m.residence), ST_Y(m.residence), c.name,
       EXISTS (SELECT 1 FROM {MemberActivity} a WHERE a.member_id = m.id AND a.kind = 'wish'
               AND a.on BETWEEN %(first)s AND %(last)s)
FROM {ReportingMember} m JOIN {Community} c ON c.id = m.reported_community_id
WHERE ST_DWithin(m.residence::geography, %(at)s::geography, %(r)s)
""")

UNITS_SQL = sql("""
SELECT u.id, u.name, ST_X(u.location), ST_Y(u.location), u.unit_type FROM {CoBuildingUnit} u
WHERE NOT u.candidate AND ST_DWithin(u.location::geography, %(at)s::geography, %(r)s)
""")


def suggest_claimants(wish: Wish, k: int, today: dt.date) -> dict[str, Any]:
    """The ``k`` best members and units to claim ``wish`` (geo.analysis.wishes), with metres.

    Members who already claimed a wish this year come after those who have not: the 五个一
    asks each member for one. Names are whole: the caller masks them for readers without
    the right to see members' names.
    """
    at = wish.location.ewkt
    params: dict[str, Any] = {"at": at, "r": SUGGEST_WITHIN_M, "first": dt.date(today.year, 1, 1),
              "last": dt.date(today.year, 12, 31)}
    with connection.cursor() as cur:
        cur.execute(MEMBERS_SQL, params)
        members = cur.fetchall()
        cur.execute(UNITS_SQL, params)
        units = cur.fetchall()
    fitting = FITTING_UNITS[wish.category]
    xy = np.array([(r[2], r[3]) for r in members] + [(r[2], r[3]) for r in units],
                  dtype=np.float64).reshape(-1, 2)
    to = np.array([[wish.location.x, wish.location.y]])
    matrix, metric = walk_or_straight(xy, to, SUGGEST_WITHIN_M)
    walk = matrix[:, 0]
    fits = [True] * len(members) + [r[4] in fitting for r in units]
    busy = [bool(r[5]) for r in members] + [False] * len(units)
    picked = rank_claimants(walk, fits, busy, k, SUGGEST_WITHIN_M)
    out = []
    for i in picked:
        if i < len(members):
            r = members[i]
            out.append({"kind": "member", "id": r[0], "name": r[1], "community": r[4],
                        "walk_m": round(float(walk[i])), "busy": bool(r[5]), "fits": True})
        else:
            r = units[i - len(members)]
            out.append({"kind": "unit", "id": r[0], "name": r[1], "unit_type": r[4],
                        "walk_m": round(float(walk[i])), "busy": False,
                        "fits": r[4] in fitting})
    return {"wish": wish.pk, "metric": metric, "within_m": SUGGEST_WITHIN_M,
            "candidates": out}


COUNTS_SQL = sql("""
SELECT c.code, c.name, count(w.id), count(w.id) FILTER (WHERE w.status = 'open'),
       count(w.id) FILTER (WHERE w.status = 'claimed'),
       count(w.id) FILTER (WHERE w.status = 'fulfilled'),
       count(w.id) FILTER (WHERE w.status = 'cancelled')
FROM {Community} c JOIN {Wish} w ON w.community_id = c.id
WHERE c.code LIKE %s AND w.posted_on BETWEEN %s AND %s
GROUP BY c.code, c.name ORDER BY c.code
""")


def wish_counts(scope: str, year: int) -> list[dict[str, Any]]:
    """Per community with wishes posted in ``year``: counts by status and the share fulfilled
    of those not withdrawn (None when all were withdrawn)."""
    with connection.cursor() as cur:
        cur.execute(COUNTS_SQL, [scope + "%", dt.date(year, 1, 1), dt.date(year, 12, 31)])
        rows = cur.fetchall()
    out = []
    for code, name, posted, open_, claimed, fulfilled, cancelled in rows:
        live = posted - cancelled
        out.append({"code": code, "name": name, "posted": posted, "open": open_,
                    "claimed": claimed, "fulfilled": fulfilled, "cancelled": cancelled,
                    "fulfilled_share": round(fulfilled / live, 4) if live else None})
    return out


def wish_json(w: Wish, unmasked: bool) -> dict[str, Any]:
    """A wish as staff see it (the person's name masked unless ``unmasked``)."""
    return {"id": w.pk, "community": w.community.code, "community_name": w.community.name,
            "category": w.category, "category_label": w.get_category_display(),
            "text": w.text, "person": w.person if unmasked else mask_name(w.person),
            "lon": w.location.x, "lat": w.location.y, "posted_on": w.posted_on.isoformat(),
            "status": w.status, "status_label": w.get_status_display(),
            "member": w.member_id, "unit": w.unit.name if w.unit else None,
            "claimed_on": w.claimed_on.isoformat() if w.claimed_on else None,
            "fulfilled_on": w.fulfilled_on.isoformat() if w.fulfilled_on else None,
            "note": w.note, "version": w.version,
            "open": w.status == WishStatus.OPEN}
