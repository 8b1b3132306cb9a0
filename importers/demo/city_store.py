"""Write the city-scale synthetic dataset with columnar COPY, replacing any demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from django.db import transaction

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Origin,
    Pairing,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
    WalkNode,
)
from importers.copyload import copy_columns

from .city import SOURCE, CityTables
from .store import delete_demo

Progress = Callable[[str, int], None]
REASON = "load_demo --scale city"


def _fk(ids: np.ndarray, idx: Any) -> Any:
    """Row indices (-1: none) to the ids COPY gave; a list with None where there is none."""
    idx = np.asarray(idx)
    if (idx >= 0).all():
        return ids[idx]
    return [None if k < 0 else int(ids[k]) for k in idx.tolist()]


def store_city(cities: CityTables | list[CityTables], progress: Progress | None = None
               ) -> dict[str, int]:
    """Replace the demo with the synthetic city (or cities), all or nothing.

    ``progress(table, rows)`` is called as each table is written. Returns the rows written
    per table.
    """
    many = cities if isinstance(cities, list) else [cities]
    totals: dict[str, int] = {}
    with transaction.atomic():
        delete_demo()
        for t in many:
            for table, n in _store_one(t, progress).items():
                totals[table] = totals.get(table, 0) + n
    return totals


def _store_one(t: CityTables, progress: Progress | None) -> dict[str, int]:
    common = {"origin": Origin.GENERATED, "source": SOURCE}

    def write(model: Any, label: str, n: int, columns: dict[str, Any]) -> np.ndarray:
        # progress gets the rows written so far in this table, every 10,000.
        return copy_columns(model, n, columns, reason=REASON,
                            progress=(lambda k: progress(label, k)) if progress else None)

    c = t.counts()
    d_ids = write(District, "districts", c["districts"], {
        **common, "code": t.districts["code"], "name": t.districts["name"],
        "geom": t.districts["geom"]})
    s_ids = write(Street, "streets", c["streets"], {
        **common, "code": t.streets["code"], "name": t.streets["name"],
        "district_id": d_ids[t.streets["district"]], "geom": t.streets["geom"]})
    comm = t.communities
    c_ids = write(Community, "communities", c["communities"], {
        **common, "code": comm["code"], "name": comm["name"],
        "street_id": s_ids[comm["street"]], "geom": comm["geom"],
        "households": comm["households"], "population": comm["population"],
        "party_members": comm["party_members"]})
    g = t.grids
    write(GridUnit, "grids", c["grids"], {
        **common, "code": g["code"], "name": g["name"],
        "community_id": c_ids[g["community"]], "geom": g["geom"],
        "households": g["households"], "leader": g["leader"], "workers": g["workers"],
        "party_branch": g["party_branch"]})
    comp = t.compounds
    comp_ids = write(Compound, "compounds", c["compounds"], {
        **common, "name": comp["name"], "community_id": c_ids[comp["community"]],
        "geom": comp["geom"], "households": comp["households"]})
    b = t.buildings
    write(Building, "buildings", c["buildings"], {
        **common, "name": b["name"], "compound_id": _fk(comp_ids, b["compound"]),
        "community_id": c_ids[b["community"]], "geom": b["geom"], "levels": b["levels"],
        "residential": b["residential"], "households": b["households"]})
    ce = t.centers
    write(ServiceCenter, "centers", c["centers"], {
        **common, **{k: ce[k] for k in ("name", "level", "opening_hours", "services",
                                        "phone", "address")},
        "street_id": s_ids[np.asarray(ce["street"])],
        "community_id": c_ids[np.asarray(ce["community"])],
        "location": ce["location"], "floor_area": np.asarray(ce["floor_area"]),
        "licensed": np.asarray(ce["licensed"]),
        "comprehensive": np.asarray(ce["comprehensive"])})
    u = t.units
    u_ids = write(CoBuildingUnit, "units", c["units"], {
        **common, "name": u["name"], "unit_type": u["unit_type"],
        "location": u["location"], "party_members": np.asarray(u["party_members"]),
        "capacity": np.asarray(u["capacity"]), "address": u["address"]})
    p = t.pairings
    write(Pairing, "pairings", c["pairings"], {
        **common, "unit_id": u_ids[p["unit"]], "community_id": c_ids[p["community"]],
        "status": p["status"], "agreement_date": p["agreement_date"]})
    m = t.members
    write(ReportingMember, "members", c["members"], {
        **common, "name": m["name"], "phone": m["phone"], "id_number": m["id_number"],
        "home_unit_id": u_ids[m["home_unit"]], "residence": m["residence"],
        "residence_community_id": c_ids[m["residence_community"]],
        "reported_community_id": _fk(c_ids, m["reported_community"]),
        "reported_on": m["reported_on"]})
    nodes = t.nodes
    n_ids = write(WalkNode, "nodes", c["nodes"], {
        "geom": shapely.points(nodes["lon"], nodes["lat"]), "source": SOURCE})
    e = t.edges
    lines = shapely.linestrings(np.stack([
        np.column_stack([nodes["lon"][e["start"]], nodes["lat"][e["start"]]]),
        np.column_stack([nodes["lon"][e["end"]], nodes["lat"][e["end"]]])], axis=1))
    write(WalkEdge, "edges", c["edges"], {
        "start_id": n_ids[e["start"]], "end_id": n_ids[e["end"]], "geom": lines,
        "length_m": e["length_m"], "highway": e["highway"], "name": e["name"],
        "source": SOURCE})
    return c
