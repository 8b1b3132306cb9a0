"""Rows of a layer from the database, as exports write them (choice labels, 是/否)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, QuerySet
from shapely import from_wkb
from shapely.geometry.base import BaseGeometry

from geo.analysis.personal import PERSONAL_FIELDS, masked

from .fields import CHOICES, FIELDS
from .store import MODELS

RELATED = {
    "streets": ["district"], "communities": ["street"], "grids": ["community__street"],
    "centers": ["community", "street"], "buildings": ["community", "compound"],
    "compounds": ["community"], "members": ["home_unit", "reported_community"],
}


def _label(choices: str, value: str) -> str:
    labels = CHOICES[choices].get(value)
    return labels[0] if labels else value


def _display(kind: str, name: str, value: Any) -> Any:
    target = next(t for t in FIELDS[kind] if t.name == name)
    if value is None:
        return None
    if target.kind == "bool":
        return "是" if value else "否"
    if target.kind == "choice":
        return _label(target.choices or "", value)
    if target.kind == "list":
        return ";".join(_label(target.choices or "", v) for v in value)
    if target.kind == "workers":
        return ";".join(f"{w.get('name', '')}:{w.get('phone', '')}" for w in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _values(kind: str, obj: Any) -> dict[str, Any]:
    """Target → stored value for one row."""
    parent = {"streets": ("district", "district"), "communities": ("street", "street"),
              "grids": ("community", "community")}
    out: dict[str, Any] = {}
    for t in FIELDS[kind]:
        name = t.name
        if hasattr(obj, name) and not isinstance(getattr(type(obj), name, None), property):
            value = getattr(obj, name)
            out[name] = value if not isinstance(value, Model) else None
    if kind in parent:
        fk, prefix = parent[kind]
        p = getattr(obj, fk)
        out[f"{prefix}_code"], out[f"{prefix}_name"] = p.code, p.name
        if kind == "grids":
            out["street_name"] = p.street.name
    if kind in ("centers", "buildings", "compounds") and obj.community_id:
        out["community_code"], out["community_name"] = obj.community.code, obj.community.name
    if kind == "centers" and obj.street_id:
        out["street_code"], out["street_name"] = obj.street.code, obj.street.name
    if kind == "buildings" and obj.compound_id:
        out["compound_name"] = obj.compound.name
    if kind == "members":
        out["home_unit"] = obj.home_unit.name if obj.home_unit_id else None
        if obj.reported_community_id:
            out["reported_community_code"] = obj.reported_community.code
            out["reported_community_name"] = obj.reported_community.name
    return out


def _geometry(kind: str, obj: Any) -> BaseGeometry:
    geom = {"centers": "location", "units": "location", "members": "residence"}.get(kind, "geom")
    return from_wkb(bytes(getattr(obj, geom).wkb))


def layer_rows(kind: str, queryset: QuerySet[Any] | None = None, *,
               personal_data: bool = False) -> tuple[list[dict[str, Any]], list[BaseGeometry]]:
    """Display rows and WGS84 geometries of ``kind`` (members' names, phones, IDs masked)."""
    qs = queryset if queryset is not None else MODELS[kind]._default_manager.all()
    qs = qs.select_related(*RELATED.get(kind, [])).order_by("pk")
    rows, geoms = [], []
    for obj in qs.iterator(chunk_size=2000):
        values = _values(kind, obj)
        if kind == "members" and not personal_data:
            for key in PERSONAL_FIELDS:
                if values.get(key):
                    values[key] = masked(key, values[key])
        rows.append({k: _display(kind, k, v) for k, v in values.items()})
        geoms.append(_geometry(kind, obj))
    return rows, geoms
