"""The year's star rating of every community of a scope, and the weak list with reasons."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from django.db import connection
from django.utils.translation import gettext

from geo.analysis.rules import RuleProfile
from geo.analysis.stars import StarProfile, star_points, weak_list
from geo.models.tables import sql
from geo.services.text import chinese

COMMUNITIES_SQL = sql("""
SELECT c.code, c.name, s.name, c.is_village, c.households FROM {Community} c
JOIN {Street} s ON s.id = c.street_id WHERE c.code LIKE %s ORDER BY c.code
""")

PAIRED_SQL = sql("""
SELECT c.code, count(*) FROM {Pairing} p JOIN {Community} c ON c.id = p.community_id
WHERE c.code LIKE %s AND p.status IN ('confirmed', 'signed') GROUP BY c.code
""")

SCORES_SQL = sql("""
SELECT c.code, s.star, s.points, s.evidence FROM {StarScore} s
JOIN {Community} c ON c.id = s.community_id WHERE c.code LIKE %s AND s.year = %s
""")


def reach_of(profile: RuleProfile) -> float:
    """The walking reach the star counts: the profile's middle one (500 m nationally)."""
    reaches = sorted(profile.walk_reach_m)
    return reaches[len(reaches) // 2]


def staffing_measure(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The organisation star's value from ``run_staffing`` rows: 1 meets all, 0.5 falls
    short, none when not reported."""
    return {r["code"]: (1.0 if r["ok"] else 0.5) if r["reported"] else None for r in rows}


def duties_measure(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The members' star from ``member_duties`` community rows: the share with all duties."""
    return {r["code"]: r["share"] for r in rows}


def events_measure(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The grid star from ``community_events`` rows: the share handled on time."""
    return {r["community_code"]: r["handled_on_time"] for r in rows}


def wishes_measure(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """The livelihood star from ``wish_counts`` rows: the share fulfilled."""
    return {r["code"]: r["fulfilled_share"] for r in rows}


def _measures(scope: str, year: int, profile: RuleProfile, codes: list[str],
              known: Mapping[str, Mapping[str, float | None]]) -> dict[str, np.ndarray]:
    """Each measure per community (NaN where there is no value); only the unknown ones are
    computed (the report passes in what it already has)."""
    from geo.services.coverage import run_coverage
    from geo.services.duties import member_duties
    from geo.services.events import community_events
    from geo.services.rules import run_facility
    from geo.services.staffing import run_staffing
    from geo.services.wishes import wish_counts

    def reach() -> Mapping[str, float | None]:
        r = reach_of(profile)
        rows = run_coverage(scope, [r], profile)["levels"]["community"]
        return {x["code"]: x.get(f"within_{int(r)}m") for x in rows}

    def paired() -> Mapping[str, float | None]:
        with connection.cursor() as cur:
            cur.execute(PAIRED_SQL, [scope + "%"])
            counts = dict(cur.fetchall())
        return {c: float(counts.get(c, 0)) for c in codes}

    compute: dict[str, Callable[[], Mapping[str, float | None]]] = {
        "facility_ratio": lambda: {r["code"]: r["m2_per_100_households"]
                                   for r in run_facility(scope, profile)["communities"]},
        "reach_share": reach,
        "staffing": lambda: staffing_measure(run_staffing(scope, year, profile)["communities"]),
        "duties_share": lambda: duties_measure(
            member_duties(scope, year, profile)["communities"]),
        "pairing_units": paired,
        "events_on_time": lambda: events_measure(community_events(scope)[0]),
        "wishes_fulfilled": lambda: wishes_measure(wish_counts(scope, year)),
    }
    values = {name: known[name] if name in known else fn() for name, fn in compute.items()}
    return {name: np.array([np.nan if by.get(c) is None else float(by[c])  # type: ignore[arg-type]
                            for c in codes]) for name, by in values.items()}


def star_ratings(scope: str, year: int, profile: RuleProfile, stars: StarProfile,
                 known: Mapping[str, Mapping[str, float | None]] | None = None
                 ) -> dict[str, Any]:
    """Points, stars and colour of every community of ``scope`` in ``year``, and the weak list.

    ``known`` passes measures a caller already has (the report: ``facility_ratio`` and
    ``reach_share`` per community code), so that they are not computed twice.
    """
    with connection.cursor() as cur:
        cur.execute(COMMUNITIES_SQL, [scope + "%"])
        comms = cur.fetchall()
        cur.execute(SCORES_SQL, [scope + "%", year])
        scores = cur.fetchall()
    codes = [r[0] for r in comms]
    row_of = {c: i for i, c in enumerate(codes)}
    col_of = {k: j for j, k in enumerate(stars.keys)}
    given = np.full((len(codes), len(stars.stars)), np.nan)
    evidence: dict[tuple[int, int], str] = {}
    for code, star, points, text in scores:
        if star in col_of:
            given[row_of[code], col_of[star]] = float(points)
            evidence[(row_of[code], col_of[star])] = text
    measures = _measures(scope, year, profile, codes, known or {})
    result = star_points(measures, given, stars)
    weak = weak_list(result.total, result.stars, codes, [r[3] for r in comms], stars)
    zh = chinese()
    rows = []
    for i, (code, name, street, village, households) in enumerate(comms):
        items = []
        for j, star in enumerate(stars.stars):
            value = measures[star.measure][i] if star.measure else np.nan
            items.append({"star": star.key, "title": star.title if zh else star.title_en,
                          "group": star.group, "points": round(float(result.points[i, j]), 1),
                          "earned": bool(result.earned[i, j]),
                          "source": str(result.source[i, j]), "measure": star.measure,
                          "value": None if np.isnan(value) else round(float(value), 4),
                          "target": star.target if star.measure else None,
                          "evidence": evidence.get((i, j), "")})
        rows.append({"code": code, "name": name, "street_name": street,
                     "village": bool(village), "households": int(households),
                     "total": round(float(result.total[i]), 1),
                     "stars": int(result.stars[i]), "colour": result.colour[i],
                     "items": items})
    weak_rows = [{"rank": n + 1, "code": rows[i]["code"], "name": rows[i]["name"],
                  "street_name": rows[i]["street_name"], "village": rows[i]["village"],
                  "total": rows[i]["total"], "stars": rows[i]["stars"],
                  "reasons": [gettext("%(star)s %(points)s 分") % {
                      "star": it["title"], "points": f"{it['points']:g}"}
                      for it in rows[i]["items"] if not it["earned"]]}
                 for n, i in enumerate(weak)]
    colours = [r["colour"] for r in rows]
    return {
        "scope": scope or None, "year": year, "profile": stars.name,
        "profile_title": stars.title if zh else stars.title_en,
        "award_at": stars.award_at,
        "stars": [{"key": s.key, "group": s.group, "title": s.title if zh else s.title_en,
                   "measure": s.measure, "target": s.target} for s in stars.stars],
        "levels": [{"min_stars": lv.min_stars, "colour": lv.colour} for lv in stars.levels],
        "summary": {"communities": len(rows),
                    "by_colour": {c.colour: colours.count(c.colour) for c in stars.levels},
                    "no_colour": colours.count(None), "weak": len(weak_rows),
                    "weak_share": stars.weak_share,
                    "weak_share_villages": stars.weak_share_villages},
        "communities": rows,
        "weak": weak_rows,
    }
