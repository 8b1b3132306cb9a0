"""Nearest service centers of a point, by walking or straight-line distance."""

from __future__ import annotations

import json
import math

from django.db import connection
from django.utils.translation import gettext as _

from geo.analysis.chinacoords import to_wgs84
from geo.analysis.rules import RuleProfile
from geo.models.tables import sql

from .network import CenterRow, center_field, center_rows
from .results import GridPlace, NearestAnswer, NearestCenter, Notice, Place

# Metres per degree of latitude at the equator: the smallest of either axis at φ = 0.
M_PER_DEG_LAT_MIN = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0

KNN_SQL = sql("""
SELECT s.id, ST_Distance(s.location::geography, q.p::geography),
       ST_Distance(s.location, q.p)
FROM {ServiceCenter} s, (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS p) q
ORDER BY s.location <-> q.p
LIMIT %s
""")

PLACE_SQL = sql("""
WITH q AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS p)
SELECT c.code, c.name, s.code, s.name, g.code, g.name, g.leader, g.workers
FROM q
LEFT JOIN {Community} c ON ST_Covers(c.geom, q.p)
LEFT JOIN {Street} s ON s.id = c.street_id
LEFT JOIN {GridUnit} g ON g.community_id = c.id AND ST_Covers(g.geom, q.p)
ORDER BY c.code, g.code
LIMIT 1
""")


def straight_k_nearest(lon: float, lat: float, k: int) -> list[tuple[int, float]]:
    """(center id, geodesic metres) of the k nearest centers by the KNN index.

    ``<->`` orders by distance in degrees, which is not geodesic order; so the index
    is asked for a growing candidate list until the k-th geodesic distance is below
    the least geodesic distance any center outside the list could have (its degree
    distance times the fewest metres a degree can span at that latitude).
    """
    limit = max(4 * k, k + 8)
    while True:
        with connection.cursor() as cur:
            cur.execute(KNN_SQL, [lon, lat, limit])
            rows = cur.fetchall()
        ranked = sorted((float(r[1]), int(r[0])) for r in rows)[:k]
        if len(rows) < limit:
            break
        r_deg = float(rows[-1][2])
        phi = min(abs(lat) + r_deg, 89.9)
        m_per_deg = min(M_PER_DEG_LAT_MIN, M_PER_DEG_LON_EQ * math.cos(math.radians(phi)))
        if ranked[-1][0] <= r_deg * m_per_deg * 0.995:
            break
        limit *= 4
    return [(cid, d) for d, cid in ranked]


def place_of(lon: float, lat: float) -> Place | None:
    """The community, street and grid (with its workers) covering a point."""
    with connection.cursor() as cur:
        cur.execute(PLACE_SQL, [lon, lat])
        row = cur.fetchone()
    if row is None or row[0] is None:
        return None
    grid: GridPlace | None = None
    if row[4]:
        workers = json.loads(row[7]) if isinstance(row[7], str) else row[7]
        grid = {"code": row[4], "name": row[5], "leader": row[6], "workers": workers or []}
    return {"community": {"code": row[0], "name": row[1]},
            "street": {"code": row[2], "name": row[3]}, "grid": grid}


def nearest_centers(lon: float, lat: float, k: int, by: str, crs: str,
                    profile: RuleProfile) -> NearestAnswer:
    """The answer the CLI and the API both give; see issue 4 §1."""
    wlon, wlat = (float(v) for v in to_wgs84(lon, lat, crs))
    notices: list[Notice] = []
    place = place_of(wlon, wlat)
    if place is None:
        notices.append({"code": "outside_communities",
                        "message": _("该位置不在任何社区范围内。")})
    results: list[NearestCenter] = []
    radius = profile.service_radius_m
    walk = by == "walk"
    if walk:
        loaded = center_field()
        access = float(loaded.field.distances([(wlon, wlat)])[2][0])
        if access > profile.max_snap_m:
            # No road near: a walking distance would be mostly a made-up straight stretch.
            walk = False
            notices.append({"code": "far_from_network",
                            "message": _("该位置距最近道路 %(access).0f 米，超过 %(snap).0f 米："
                                         "下面的距离是直线距离，不是步行距离。")
                            % {"access": access, "snap": profile.max_snap_m}})
    if walk:
        for ans in loaded.field.k_nearest((wlon, wlat), k):
            if ans.distance_m <= radius:
                results.append(_center_json(loaded.centers[ans.center], ans.distance_m,
                                            ans.route, profile))
    else:
        ranked = straight_k_nearest(wlon, wlat, k)
        rows = {row.id: row for row, _ in center_rows(ids=[cid for cid, _ in ranked])}
        for cid, metres in ranked:
            if metres <= radius:
                results.append(_center_json(rows[cid], metres, None, profile))
        if ranked and not results:
            notices.append({"code": "outside_service_area",
                            "message": _("最近的服务中心在 %(km)s 公里外，超出 %(radius)s 公里的"
                                         "服务范围。")
                            % {"km": f"{ranked[0][1] / 1000:,.0f}",
                               "radius": f"{radius / 1000:,.0f}"}})
    if walk and not results:
        notices.append({"code": "unreachable",
                        "message": _("在 %(radius)s 公里内的步行路网上无法到达任何服务中心。")
                        % {"radius": f"{radius / 1000:,.0f}"}})
    return {
        "query": {"lon": lon, "lat": lat, "crs": crs, "wgs84": [wlon, wlat], "k": k, "by": by,
                  "measured": "walk" if walk else "straight"},
        "profile": profile.name,
        "place": place,
        "centers": results,
        "notices": notices,
    }


def _center_json(c: CenterRow, metres: float, route: list[tuple[float, float]] | None,
                 profile: RuleProfile) -> NearestCenter:
    return {
        "id": c.id, "name": c.name, "level": c.level, "floor_area_m2": c.floor_area,
        "opening_hours": c.opening_hours, "services": c.services, "phone": c.phone,
        "address": c.address, "licensed": c.licensed, "community_code": c.community_code,
        "distance_m": round(metres, 1),
        "walk_minutes": round(profile.walk_minutes(metres), 1),
        "route": None if route is None else {"type": "LineString",
                                             "coordinates": [list(p) for p in route]},
    }
