"""Fill a ReportDocument from the database with the same service functions the API uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geo.analysis.coverage import reach_column
from geo.analysis.grid_checks import NON_RESIDENTIAL
from geo.analysis.network import NetworkError
from geo.analysis.rectification import (
    WEIGHTS,
    composite_score,
    findings,
    score_parts,
)
from geo.analysis.rollup import rollup
from geo.analysis.rules import RuleProfile
from geo.analysis.stars import load_star_profile
from geo.models.facilities import UnitType
from geo.models.scope import check_scope
from geo.models.tables import sql, table
from geo.services.coverage import measure, run_coverage
from geo.services.duties import member_duties
from geo.services.errors import NoData
from geo.services.events import community_events
from geo.services.leaders import community_leaders
from geo.services.lists import list_counts
from geo.services.results import CoverageReport, GridChecksReport, UncoveredCompound
from geo.services.rules import run_facility, run_grid_checks, run_members
from geo.services.signs import scope_signs, sign_counts
from geo.services.staffing import run_staffing
from geo.services.stars import (
    duties_measure,
    events_measure,
    reach_of,
    staffing_measure,
    star_ratings,
    wishes_measure,
)
from geo.services.text import say, title_of
from geo.services.wishes import wish_counts

from ..basemap import shows_osm_data
from .document import (
    KIND_LABELS,
    PAIRING_STATUS_LABELS,
    STAFFING_LABELS,
    STATUS_LABELS,
    MapLayers,
    ReportDocument,
    Samples,
)

Progress = Callable[[str], None]
GATHER_STEPS = ("facility", "coverage", "grids", "rollups", "events", "duties", "organisation",
                "stars", "lists", "signs", "map layers")
WGS84 = "EPSG:4326"
TOPOLOGY_KINDS = ("overhang", "overlap", "gap")

COMMUNITIES_SQL = sql("""
SELECT c.id, c.code, c.name, s.code, s.name, d.code, d.name, c.households, c.population,
       ST_AsBinary(c.geom)
FROM {Community} c JOIN {Street} s ON s.id = c.street_id
JOIN {District} d ON d.id = s.district_id
WHERE c.code LIKE %s ORDER BY c.code
""")

# Co-building units of the scope: those (not mere OSM candidates) inside its communities.
UNITS_SQL = sql("""
SELECT count(*) FROM {CoBuildingUnit} u
WHERE NOT u.candidate AND EXISTS (
    SELECT 1 FROM {Community} c WHERE c.code LIKE %s AND ST_Intersects(c.geom, u.location))
""")

GRIDS_SQL = sql("""
SELECT c.code, g.households, g.zone_type FROM {GridUnit} g
JOIN {Community} c ON c.id = g.community_id WHERE c.code LIKE %s ORDER BY g.code
""")

PAIRINGS_SQL = sql("""
SELECT c.code, c.name, u.name, u.unit_type, p.distance_m, p.status,
       ST_X(u.location), ST_Y(u.location),
       coalesce(ST_X(s.location), ST_X(ST_PointOnSurface(c.geom))),
       coalesce(ST_Y(s.location), ST_Y(ST_PointOnSurface(c.geom)))
FROM {Pairing} p JOIN {Community} c ON c.id = p.community_id
JOIN {CoBuildingUnit} u ON u.id = p.unit_id
LEFT JOIN {CommunityOwnCenter} s ON s.community_id = c.id
WHERE c.code LIKE %s ORDER BY c.code, p.distance_m NULLS LAST, u.name
""")

CENTERS_SQL = sql("""
SELECT s.name, s.level, s.licensed, s.floor_area, ST_X(s.location), ST_Y(s.location)
FROM {ServiceCenter} s LEFT JOIN {Community} c ON c.id = s.community_id
WHERE coalesce(c.code, '') LIKE %s OR ST_Intersects(s.location, ST_GeomFromWKB(%s, 4326))
ORDER BY s.id
""")

ROADS_SQL = sql("""
SELECT highway, ST_AsBinary(geom) FROM {WalkEdge}
WHERE geom && ST_Expand(ST_GeomFromWKB(%s, 4326), 0.002)
""")

# Tables whose sources and dates the report names (the data it stands on).
SOURCE_TABLES = (
    (table("Community"), gettext_lazy("社区边界")), (table("GridUnit"), gettext_lazy("网格")),
    (table("ServiceCenter"), gettext_lazy("党群服务中心")),
    (table("CoBuildingUnit"), gettext_lazy("共建单位")), (table("Pairing"), gettext_lazy("结对")),
    (table("ReportingMember"), gettext_lazy("报到党员")), (table("Building"), gettext_lazy("楼栋")),
    (table("Compound"), gettext_lazy("小区")), (table("WalkEdge"), gettext_lazy("步行路网")),
)


def _scope_name(scope: str) -> tuple[str, str]:
    if not scope:
        return _("全部"), "all"
    name, level = {6: ("District", "district"), 9: ("Street", "street"),
                   12: ("Community", "community")}[len(scope)]
    with connection.cursor() as cur:
        cur.execute(f"SELECT name FROM {table(name)} WHERE code = %s", [scope])
        return cur.fetchone()[0], level


def _sources() -> list[dict[str, Any]]:
    out = []
    with connection.cursor() as cur:
        for name, label in SOURCE_TABLES:
            stamp = "updated_at" if name != table("WalkEdge") else "NULL::timestamptz"
            cur.execute(f"SELECT source, count(*), max({stamp}) FROM {name} "
                        f"GROUP BY source ORDER BY source")
            for source, n, when in cur.fetchall():
                out.append({"table": str(label), "source": source or "—", "rows": n,
                            "updated": when.date().isoformat() if when else None})
    return out


def _fetch(query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


@dataclass
class _ByCommunity:
    """What the report tallies per community code from the rows it fetched."""

    worst: dict[str, tuple[str, float]] = field(default_factory=dict)
    grid_hh: dict[str, list[int]] = field(default_factory=dict)  # residential grids
    grid_zones: dict[str, int] = field(default_factory=dict)  # work and transport grids
    grid_bad: dict[str, set[str]] = field(default_factory=dict)
    paired: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)


def _by_community(measured: Any, grid_rows: list[tuple[Any, ...]], checks: GridChecksReport,
                  pair_rows: list[tuple[Any, ...]]) -> _ByCommunity:
    out = _ByCommunity()
    for rec, d in zip(measured.compounds, measured.compound_distance, strict=True):
        code = rec[3]
        if code and (code not in out.worst or not d <= out.worst[code][1]):
            out.worst[code] = (rec[1], float(d))
    for code, hh, kind in grid_rows:
        if kind in NON_RESIDENTIAL:  # no household range: counted, not measured
            out.grid_zones[code] = out.grid_zones.get(code, 0) + 1
        else:
            out.grid_hh.setdefault(code, []).append(int(hh))
    for f in checks["findings"]:
        out.grid_bad.setdefault(f["community_code"], set()).update(
            f["grids"] or ["(community)"])
    official = {"confirmed", "signed"}
    for r in pair_rows:
        dist = "—" if r[4] is None else f"{r[4]:.0f} m"
        out.paired.setdefault(r[0], []).append(
            _("%(unit)s（%(distance)s，%(status)s）") % {
                "unit": r[2], "distance": dist, "status": PAIRING_STATUS_LABELS[r[5]]})
        out.units[r[0]] = out.units.get(r[0], 0) + (r[5] in official)
    return out


def _community_row(row: tuple[Any, ...], fac: Any, cov: Mapping[str, Any], tally: _ByCommunity,
                   members: dict[str, Any], reaches: list[float],
                   profile: RuleProfile) -> dict[str, Any]:
    """One community's line of the report."""
    cid, code, cname, s_code, s_name, d_code, d_name, hh, pop, _wkb = row
    c = cov.get(code, {})
    hhs = tally.grid_hh.get(code, [])
    w = tally.worst.get(code)
    low, high = profile.grid_households
    status = fac["status"]
    return {
        "id": cid, "code": code, "name": cname, "street_code": s_code, "street_name": s_name,
        "district_code": d_code, "district_name": d_name, "households": int(hh),
        "population": int(pop), "centers": int(fac["centers"]),
        "has_center": bool(fac["centers"] > 0),
        "floor_area_m2": float(fac["floor_area_m2"]),
        "m2_per_100_households": fac["m2_per_100_households"],
        "required_m2": float(fac["required_m2"]), "shortfall_m2": float(fac["shortfall_m2"]),
        "ratio_ok": bool(fac["ratio_ok"]), "min_ok": bool(fac["min_ok"]),
        "meets": bool(fac["meets"]), "status": status, "status_label": str(STATUS_LABELS[status]),
        "covered_households": int(c.get("households", 0)),
        **{reach_column(r): c.get(reach_column(r)) for r in reaches},
        "worst_compound": w[0] if w else None,
        "worst_compound_m": (round(w[1], 1) if w and np.isfinite(w[1]) else None),
        "grids": len(hhs) + tally.grid_zones.get(code, 0), "grid_hh_min": min(hhs) if hhs else None,
        "grid_hh_max": max(hhs) if hhs else None,
        "grids_out_of_range": sum(1 for v in hhs if not low <= v <= high),
        "grid_findings": len(tally.grid_bad.get(code, set())),
        "units": tally.units.get(code, 0), "pairing_cap": profile.pairing_cap_for(int(hh)),
        "paired_units": "；".join(tally.paired.get(code, [])) or "—",
        "members": int(members[code]["members"]), "member_cap": profile.reporting_cap,
    }


def _rectification(rated: dict[str, Any], leaders: dict[str, list[dict[str, Any]]]
                   ) -> pd.DataFrame:
    """The weak list of the star rating, weakest first, with reasons and 挂点 leaders."""
    labels = {"gold": _("金星"), "silver": _("银星"), "red": _("红星")}
    rows = [{"rank": w["rank"], "code": w["code"], "name": w["name"],
             "street_name": w["street_name"], "village": w["village"], "total": w["total"],
             "stars": w["stars"],
             "colour_label": labels.get(colour_of[w["code"]] or "", _("未评星")),
             "reasons": _("；").join(w["reasons"]),
             "leaders": _leader_names(leaders.get(w["code"], []))}
            for colour_of in [{c["code"]: c["colour"] for c in rated["communities"]}]
            for w in rated["weak"]]
    return pd.DataFrame(rows, columns=["rank", "code", "name", "street_name", "village",
                                       "total", "stars", "colour_label", "reasons",
                                       "leaders"])


def _star_rows(rated: dict[str, Any]) -> list[dict[str, Any]]:
    """Each community's points per star, stars earned and colour, for the report's table."""
    labels = {"gold": _("金星"), "silver": _("银星"), "red": _("红星")}
    return [{"code": c["code"], "name": c["name"], "total": c["total"], "stars": c["stars"],
             "colour": c["colour"], "colour_label": labels.get(c["colour"] or "", _("未评星")),
             **{f"star_{it['star']}": it["points"] for it in c["items"]}}
            for c in rated["communities"]]


# What the report keeps of the staffing rows (not the row ids and versions the API gives).
STAFFING_KEYS = ("code", "name", "street_name", "households", "reported", "posts",
                 "social_workers", "funds_yuan", "funds_required_yuan", "posts_short",
                 "posts_over", "workers_short", "workers_over", "funds_short_yuan",
                 "centers_below_level", "center_area_short_m2", "ok")
STREET_STAFFING_KEYS = ("code", "name", "party_staff", "reported", "party_staff_short", "ok",
                        "communities", "communities_reported", "communities_ok",
                        "funds_short_yuan")


def _leader_names(links: list[dict[str, Any]]) -> str:
    return _("、").join(_("%(name)s（%(position)s）") % {
        "name": x["leader"]["name"], "position": x["leader"]["position"]} for x in links)


def _staffing_rows(rows: list[dict[str, Any]], leaders: dict[str, list[dict[str, Any]]]
                   ) -> list[dict[str, Any]]:
    return [{**{k: r[k] for k in STAFFING_KEYS},
             "ok_label": str(STAFFING_LABELS["ok" if r["ok"] else
                                             "short" if r["reported"] else "none"]),
             "leaders": _leader_names(leaders.get(r["code"], []))} for r in rows]


def _pairing_records(pair_rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [
        {"community_code": r[0], "community": r[1], "unit": r[2], "unit_type": r[3],
         "unit_type_label": str(UnitType(r[3]).label) if r[3] in UnitType.values else r[3],
         "distance_m": None if r[4] is None else round(float(r[4]), 1), "status": r[5],
         "status_label": str(PAIRING_STATUS_LABELS[r[5]]),
         "from": [round(r[6], 7), round(r[7], 7)], "to": [round(r[8], 7), round(r[9], 7)]}
        for r in pair_rows
    ]


def _meta(name: str, level: str, scope: str, profile: RuleProfile, reaches: list[float],
          now: datetime | None) -> dict[str, Any]:
    return {
        "title": _("%(name)s 党群服务设施空间覆盖报告") % {"name": name},
        "scope": {"code": scope or None, "name": name, "level": level},
        "profile": {"name": profile.name,
                    "title": title_of(profile),
                    "facility_ratio_m2_per_100_households":
                        profile.facility_ratio_m2_per_100_households,
                    "facility_min_m2": profile.facility_min_m2,
                    "pairing_cap": profile.pairing_cap, "reporting_cap": profile.reporting_cap,
                    "grid_households": list(profile.grid_households),
                    "weak_share": profile.weak_share},
        "reaches_m": reaches,
        "generated_at": timezone.localtime(now or timezone.now()).isoformat(timespec="seconds"),
        "sources": _sources(),
        # The OpenStreetMap licence asks for this wherever its data is shown.
        "credit": _("© OpenStreetMap 贡献者") if shows_osm_data() else "",
        "score_weights": dict(WEIGHTS),
    }


def gather(scope_code: str, profile: RuleProfile, reaches: Sequence[float],
           progress: Progress | None = None, now: datetime | None = None) -> ReportDocument:
    """The report of one scope (district, street or community code; '' for all)."""
    step = progress or (lambda _label: None)
    scope = check_scope(scope_code)
    reaches = sorted(float(r) for r in reaches)
    like = scope + "%"
    comm_rows = _fetch(COMMUNITIES_SQL, [like])
    if not comm_rows:
        raise NoData(_("范围 %(scope)s 内没有社区") % {"scope": scope or _("全部")})
    name, level = _scope_name(scope)
    step("facility")
    facility = pd.DataFrame(run_facility(scope, profile)["communities"]).set_index("code")
    step("coverage")
    measured = measure(scope)
    coverage = run_coverage(scope, reaches, profile, polygons=True, measured=measured)
    cov = {r["code"]: r for r in coverage["levels"]["community"]}
    step("grids")
    checks = run_grid_checks(scope, profile)
    grid_rows = _fetch(GRIDS_SQL, [like])
    members = {r["code"]: r for r in run_members(scope, profile)["communities"]}
    pair_rows = _fetch(PAIRINGS_SQL, [like])
    tally = _by_community(measured, grid_rows, checks, pair_rows)

    comms = pd.DataFrame([_community_row(row, facility.loc[row[1]], cov, tally, members,
                                         reaches, profile) for row in comm_rows])
    comms["over_pairing_cap"] = comms["units"] > comms["pairing_cap"]
    comms["over_member_cap"] = comms["members"] > comms["member_cap"]
    parts = score_parts(comms, reaches)
    comms["score"] = composite_score(parts)

    step("rollups")
    streets = _named(rollup(comms, "street_code", reaches), comms, "street")
    districts = _named(rollup(comms, "district_code", reaches), comms, "district")
    uncovered = coverage["uncovered_compounds"]
    found = findings(comms, uncovered)
    for f in found:
        f["kind_label"] = str(KIND_LABELS[f["kind"]])
        f["message"] = say(f["message"])
    pairings = _pairing_records(pair_rows)
    step("events")
    event_rows, event_summary = community_events(scope)
    step("duties")
    today = timezone.localtime(now or timezone.now()).date()
    duties = member_duties(scope, today.year, profile)
    step("organisation")
    staffing = run_staffing(scope, today.year, profile)
    leaders = community_leaders(scope, today)
    wishes = wish_counts(scope, today.year)
    step("stars")
    col = reach_column(reach_of(profile))
    # Everything the stars read that this report already has: nothing is computed twice.
    known: dict[str, Any] = {
        "facility_ratio": dict(zip(comms["code"], comms["m2_per_100_households"],
                                   strict=True)),
        "staffing": staffing_measure(staffing["communities"]),
        "duties_share": duties_measure(duties["communities"]),
        "events_on_time": events_measure(event_rows),
        "wishes_fulfilled": wishes_measure(wishes)}
    if col in comms.columns:
        known["reach_share"] = dict(zip(comms["code"], comms[col], strict=True))
    rated = star_ratings(scope, today.year, profile, load_star_profile(), known=known)
    rect = _rectification(rated, leaders)
    step("lists")
    lists = list_counts(scope, today.year)
    step("signs")
    signs = _signs(scope, profile, measured)
    step("map layers")
    layers = _layers(comm_rows, comms, coverage, uncovered, pairings, scope)
    all_hh = [v for vs in tally.grid_hh.values() for v in vs]
    samples = Samples(
        building_distance_m=np.asarray(measured.distance, dtype=np.float64),
        building_households=np.array([b[3] for b in measured.buildings], dtype=np.float64),
        grid_households=np.array(all_hh, dtype=np.float64))
    summary = {
        **_totals(comms, measured),
        "facility": _facility_summary(comms),
        "reach": _reach_summary(comms, reaches, uncovered),
        "pairing": _pairing_summary(comms, pairings, _fetch(UNITS_SQL, [like])[0][0]),
        "members": {"total": int(comms["members"].sum()), "cap": profile.reporting_cap,
                    "communities_over_cap": int(comms["over_member_cap"].sum())},
        "grids": _grid_summary(all_hh, sum(tally.grid_zones.values()), checks, profile),
        "rectification": {"count": len(rect), "share": rated["summary"]["weak_share"],
                          "share_villages": rated["summary"]["weak_share_villages"]},
        "wishes": {"year": today.year, **{k: sum(w[k] for w in wishes) for k in (
            "posted", "open", "claimed", "fulfilled", "cancelled")}},
        "signs": {"reach_m": profile.signs.reach_m, **{k: sum(r[k] for r in signs) for k in (
            "served", "guided", "planned", "proposed", "approved", "installed")}},
        "lists": {"year": today.year, **{k: sum(r[k] for r in lists) for k in (
            "needs", "wanted", "agreed", "done", "needs_covered", "proposed", "projects")}},
        "stars": {"year": rated["year"], "profile": rated["profile"],
                  "profile_title": rated["profile_title"], "award_at": rated["award_at"],
                  **{k: rated["summary"][k] for k in ("by_colour", "no_colour")},
                  "titles": {s["key"]: s["title"] for s in rated["stars"]}},
        "events": event_summary,
        "staffing": {"year": staffing["year"], **staffing["summary"],
                     "rules": staffing["rules"],
                     "communities_with_leader": sum(1 for v in leaders.values() if v),
                     "rectification_without_leader": int((rect["leaders"] == "").sum())},
        "duties": {"year": duties["year"], **duties["summary"], "required": {
            d["kind"]: d["required"] for d in duties["duties"]},
                   "labels": {d["kind"]: d["label"] for d in duties["duties"]}},
    }
    return ReportDocument(meta=_meta(name, level, scope, profile, reaches, now),
                          summary=summary, communities=comms, streets=streets,
                          districts=districts, findings=found, rectification=rect,
                          pairings=pairings, uncovered=uncovered, layers=layers,
                          samples=samples, events=event_rows,
                          duties=[c for c in duties["communities"] if c["members"]],
                          staffing=_staffing_rows(staffing["communities"], leaders),
                          stars=_star_rows(rated),
                          wishes=wishes, lists=lists, signs=signs,
                          street_staffing=[{k: r[k] for k in STREET_STAFFING_KEYS}
                                           for r in staffing["streets"]])


def _signs(scope: str, profile: RuleProfile, measured: Any) -> list[dict[str, Any]]:
    """指引牌 per center of the scope; none when there is no walking network to plan on."""
    try:
        return sign_counts(scope_signs(scope, profile, measured))
    except NetworkError:
        return []


def _named(frame: pd.DataFrame, comms: pd.DataFrame, level: str) -> pd.DataFrame:
    names = comms.drop_duplicates(f"{level}_code").set_index(f"{level}_code")[f"{level}_name"]
    frame.insert(1, "name", frame["code"].map(names))
    return frame


def _share(n: int, total: int) -> float | None:
    return None if total == 0 else n / total


def _totals(comms: pd.DataFrame, measured: Any) -> dict[str, Any]:
    codes = set(comms["code"])
    licensed = sum(1 for c in measured.loaded.centers if c.community_code in codes)
    return {
        "communities": len(comms),
        "households": int(comms["households"].sum()),
        "population": int(comms["population"].sum()),
        "centers": {"count": int(comms["centers"].sum()), "licensed": licensed,
                    "floor_area_m2": round(float(comms["floor_area_m2"].sum()), 1)},
    }


def _facility_summary(comms: pd.DataFrame) -> dict[str, Any]:
    n = len(comms)
    return {
        "ratio_count": int(comms["ratio_ok"].sum()),
        "ratio_share": _share(int(comms["ratio_ok"].sum()), n),
        "min_count": int(comms["min_ok"].sum()),
        "min_share": _share(int(comms["min_ok"].sum()), n),
        "meets_count": int(comms["meets"].sum()),
        "meets_share": _share(int(comms["meets"].sum()), n),
        "without_center": int((~comms["has_center"]).sum()),
        "shortfall_m2": round(float(comms["shortfall_m2"].sum()), 1),
    }


def _reach_summary(comms: pd.DataFrame, reaches: Sequence[float],
                   uncovered: list[UncoveredCompound]) -> dict[str, Any]:
    """Household-weighted shares within each reach over the communities of the scope."""
    weight = comms["covered_households"].astype(float)
    covered = float(weight.sum())
    shares = {reach_column(r): (None if covered == 0 else round(float(
        (comms[reach_column(r)].astype(float).fillna(0) * weight).sum() / covered), 4))
        for r in reaches}
    return {"reaches_m": list(reaches), "shares": shares, "covered_households": int(covered),
            "uncovered_compounds": len(uncovered),
            "uncovered_households": int(sum(c["households"] for c in uncovered))}


def _pairing_summary(comms: pd.DataFrame, pairings: list[dict[str, Any]],
                     units_in_scope: int) -> dict[str, Any]:
    """Pairings by status; a unit or a community counts as paired by confirmed or signed
    pairings only (a proposal waits for review)."""
    by_status: dict[str, int] = {}
    for p in pairings:
        by_status[p["status"]] = by_status.get(p["status"], 0) + 1
    return {"units_in_scope": units_in_scope,
            "units": len({(p["unit"], p["from"][0], p["from"][1]) for p in pairings
                          if p["status"] != "proposed"}),
            "pairings": len(pairings), "by_status": by_status,
            "communities_without_units": int((comms["units"] == 0).sum()),
            "communities_over_cap": int(comms["over_pairing_cap"].sum())}


def _grid_summary(grid_hh: list[int], zones: int, checks: GridChecksReport,
                  profile: RuleProfile) -> dict[str, Any]:
    """Households figures over residential grids; ``count`` counts every grid."""
    low, high = profile.grid_households
    kinds = checks["counts"]
    return {"count": len(grid_hh) + zones, "range": [low, high],
            "households_min": min(grid_hh) if grid_hh else None,
            "households_median": float(np.median(grid_hh)) if grid_hh else None,
            "households_max": max(grid_hh) if grid_hh else None,
            "out_of_range": sum(1 for v in grid_hh if not low <= v <= high),
            "topology_errors": int(sum(kinds.get(k, 0) for k in TOPOLOGY_KINDS)),
            "findings_by_kind": dict(kinds)}


def _layers(comm_rows: list[tuple[Any, ...]], comms: pd.DataFrame, coverage: CoverageReport,
            uncovered: list[UncoveredCompound], pairings: list[dict[str, Any]],
            scope: str) -> MapLayers:
    geoms = shapely.from_wkb([bytes(r[9]) for r in comm_rows])
    communities = gpd.GeoDataFrame(
        comms[["code", "name", "households", "m2_per_100_households", "status",
               "status_label", "shortfall_m2"]].copy(), geometry=list(geoms), crs=WGS84)
    outline = shapely.union_all(geoms)
    scope_gdf = gpd.GeoDataFrame({"code": [scope or None]}, geometry=[outline], crs=WGS84)
    box = shapely.to_wkb(shapely.box(*outline.bounds))
    # The maps draw each reach as one area: dissolve the centers' areas here, once.
    by_reach: dict[float, list[Any]] = {}
    for f in coverage.get("reach_areas", {}).get("features", []):
        geom = shapely.geometry.shape(f["geometry"])
        if geom.intersects(outline):
            by_reach.setdefault(float(f["properties"]["reach_m"]), []).append(geom)
    reach = gpd.GeoDataFrame(
        {"reach_m": list(by_reach)},
        geometry=[shapely.union_all(parts) for parts in by_reach.values()], crs=WGS84)
    crow = _fetch(CENTERS_SQL, [scope + "%", box])
    centers = gpd.GeoDataFrame(
        {"name": [r[0] for r in crow], "level": [r[1] for r in crow],
         "licensed": [r[2] for r in crow], "floor_area": [r[3] for r in crow]},
        geometry=shapely.points([(r[4], r[5]) for r in crow]) if crow else [], crs=WGS84)
    rrow = _fetch(ROADS_SQL, [box])
    roads = gpd.GeoDataFrame({"highway": [r[0] for r in rrow]},
                             geometry=list(shapely.from_wkb([bytes(r[1]) for r in rrow])),
                             crs=WGS84)
    unc = gpd.GeoDataFrame(
        {"name": [c["name"] for c in uncovered], "households": [c["households"] for c in uncovered],
         "distance_m": [c["distance_m"] for c in uncovered]},
        geometry=shapely.points([(c["lon"], c["lat"]) for c in uncovered]) if uncovered else [],
        crs=WGS84)
    lines = gpd.GeoDataFrame(
        {"unit": [p["unit"] for p in pairings], "community": [p["community"] for p in pairings],
         "status": [p["status"] for p in pairings],
         "distance_m": [p["distance_m"] for p in pairings]},
        geometry=[shapely.LineString([p["from"], p["to"]]) for p in pairings], crs=WGS84)
    return MapLayers(scope=scope_gdf, communities=communities, reach_areas=reach,
                     centers=centers, roads=roads, uncovered=unc, pairings=lines)
