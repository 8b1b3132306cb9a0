"""The keys a file row and a stored row are matched on, per layer kind.

Codes first; then names under the same parent (hierarchy), OSM ids and exact outlines
(buildings, compounds: never names, many share one), name plus place (centers, units),
ID number or name plus phone (members).
"""

from __future__ import annotations

from typing import Any

from .dbwrite import geos
from .fields import LEVEL_OF

Key = tuple[Any, ...]

# Hierarchy: parent kind, parent FK, parent code/name targets, grandparent-name target.
HIERARCHY_PARENT = {
    "streets": ("districts", "district", "district_code", "district_name", None),
    "communities": ("streets", "street", "street_code", "street_name", "district_name"),
    "grids": ("communities", "community", "community_code", "community_name", "street_name"),
}


def place_key(name: str, x: float, y: float) -> Key:
    """Names of schools and clinics repeat across a city: name plus place (~0.1 m)."""
    return ("place", name, round(x, 6), round(y, 6))


def stored_keys(kind: str, obj: Any) -> list[Key]:
    """Every key a stored row of ``kind`` can be found by."""
    keys: list[Key] = []
    if getattr(obj, "code", ""):
        keys.append(("code", obj.code))
    if kind in LEVEL_OF and kind in HIERARCHY_PARENT:
        fk = HIERARCHY_PARENT[kind][1]
        keys.append(("name", getattr(obj, f"{fk}_id"), obj.name))
    elif kind in ("buildings", "compounds"):
        # Never by name: many buildings and compounds share one (importers/footprints.py).
        if obj.osm_id is not None:
            keys.append(("osm", obj.osm_id))
        keys.append(("geom", bytes(obj.geom.wkb)))
    elif kind in ("centers", "units"):
        keys.append(place_key(obj.name, obj.location.x, obj.location.y))
    elif kind == "members":
        if obj.id_number:
            keys.append(("id", obj.id_number))
        keys.append(("name", obj.name, obj.phone))
    return keys


def row_keys(kind: str, values: dict[str, Any]) -> list[Key]:
    """The keys a file row's ``values`` look a stored row up by, most specific first."""
    v = values
    if v.get("code"):
        keys: list[Key] = [("code", v["code"])]
        if kind in HIERARCHY_PARENT:  # a real code replacing a provisional one
            fk = HIERARCHY_PARENT[kind][1]
            keys.append(("provisional-name", getattr(v.get(fk), "pk", None), v["name"]))
        return keys
    if kind in HIERARCHY_PARENT:
        fk = HIERARCHY_PARENT[kind][1]
        return [("name", getattr(v.get(fk), "pk", None), v["name"])]
    if kind in ("buildings", "compounds"):
        keys = []
        if v.get("osm_id") is not None:
            keys.append(("osm", v["osm_id"]))
        keys.append(("geom", bytes(geos(v["geom"]).wkb)))
        return keys
    if kind in ("centers", "units"):
        loc = v["location"]
        return [place_key(v["name"], loc.x, loc.y)]
    if kind == "members":
        return ([("id", v["id_number"])] if v.get("id_number") else []) + \
            [("name", v["name"], v.get("phone", ""))]
    return []
