"""The staff map of grid events: filters, and points or clusters for the map's view.

A city holds hundreds of thousands of events; the browser gets at most a few hundred
things to draw. When the view holds more than ``MAX_POINTS`` events they are counted per
square cell of ``CELL_PX`` screen pixels at the map's zoom (in Web Mercator metres, the
map's own plane), each cell drawn at the mean position of its events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db.models import Avg, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Floor
from pyproj import Transformer

from geo.analysis.event_flow import OPEN_STATES
from geo.models import Event

MAX_POINTS = 400
CELL_PX = 64
# Metres per pixel at zoom 0 of 256-pixel Web Mercator tiles (2π × 6378137 / 256).
M_PER_PX_Z0 = 156543.03392804097
_TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


class _X(Func):
    function, output_field = "ST_X", FloatField()


class _Y(Func):
    function, output_field = "ST_Y", FloatField()


@dataclass(frozen=True)
class EventFilter:
    """Which events: states (empty: the open ones), category, reported in [since, until)."""

    states: tuple[str, ...] = ()
    category: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    overdue: bool = False


def filtered(qs: QuerySet[Event], f: EventFilter, now: dt.datetime) -> QuerySet[Event]:
    """``qs`` narrowed by ``f`` (overdue: a running clock past its due time at ``now``)."""
    qs = qs.filter(state__in=f.states or sorted(OPEN_STATES))
    if f.category:
        qs = qs.filter(category=f.category)
    if f.since is not None:
        qs = qs.filter(created_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(created_at__lt=f.until)
    if f.overdue:
        qs = qs.filter(due_at__lt=now)
    return qs


def cell_metres(zoom: int) -> float:
    """The side of a cluster cell at ``zoom``, in Web Mercator metres."""
    return CELL_PX * M_PER_PX_Z0 / 2**zoom


def map_layer(qs: QuerySet[Event], bbox: tuple[float, float, float, float], zoom: int,
              now: dt.datetime) -> dict[str, Any]:
    """The events of ``qs`` inside ``bbox`` (lon/lat): each one, or counts per cell.

    ``overdue`` counts the events whose running clock is past due at ``now``; a cell's
    ``category`` is its commonest one (ties: the first in code order).
    """
    inside = qs.filter(location__intersects=Polygon.from_bbox(bbox))
    total = inside.count()
    late = Q(due_at__lt=now)
    if total <= MAX_POINTS:
        rows = inside.values_list("code", "category", "state", "location", "due_at")
        return {"mode": "points", "total": total, "cell_m": None, "features": [
            {"code": code, "category": cat, "state": state, "lon": round(p.x, 7),
             "lat": round(p.y, 7), "count": 1,
             "overdue": int(due is not None and due < now)}
            for code, cat, state, p, due in rows]}
    size = cell_metres(zoom)
    merc = Transform("location", 3857)
    # One pass: counts and mean positions per (cell, category), folded into cells here.
    groups = (inside.annotate(mx=_X(merc), my=_Y(merc))
              .annotate(cx=Floor(F("mx") / size), cy=Floor(F("my") / size))
              .values("cx", "cy", "category")
              .annotate(n=Count("id"), late=Count("id", filter=late), x=Avg("mx"),
                        y=Avg("my"))
              .order_by("cx", "cy", "category"))
    cells: dict[tuple[float, float], dict[str, Any]] = {}
    for r in groups:
        cell = cells.setdefault((r["cx"], r["cy"]), {"n": 0, "late": 0, "sx": 0.0, "sy": 0.0,
                                                     "top": (0, "")})
        cell["n"] += r["n"]
        cell["late"] += r["late"]
        cell["sx"] += r["x"] * r["n"]
        cell["sy"] += r["y"] * r["n"]
        if r["n"] > cell["top"][0]:  # categories come in code order: ties keep the first
            cell["top"] = (r["n"], r["category"])
    features = []
    for cell in cells.values():
        lon, lat = _TO_LONLAT.transform(cell["sx"] / cell["n"], cell["sy"] / cell["n"])
        features.append({"code": None, "category": cell["top"][1], "state": None,
                         "lon": round(lon, 7), "lat": round(lat, 7), "count": cell["n"],
                         "overdue": cell["late"]})
    return {"mode": "cells", "total": total, "cell_m": size, "features": features}
