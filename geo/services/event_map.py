"""The staff map of grid events: filters, and points or clusters for the map's view.

A city holds hundreds of thousands of events; the browser gets at most a few hundred
things to draw. When the view holds more than ``MAX_POINTS`` events they are counted per
square cell of ``CELL_PX`` screen pixels at the map's zoom (in Web Mercator metres, the
map's own plane), each cell drawn at the mean position of its events; cells whose
symbols would overlap (a dense spot on a cell corner) are joined into one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import Avg, Count, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Floor, Ln, Radians, Tan
from pyproj import Transformer

from geo.analysis.clusters import join_close_cells
from geo.analysis.event_flow import OPEN_STATES
from geo.models import Event

MAX_POINTS = 400
CELL_PX = 64
JOIN_PX = 40  # symbols nearer than this (about the largest symbol's width) are joined
# Metres per pixel at zoom 0 of 256-pixel Web Mercator tiles (2π × 6378137 / 256).
M_PER_PX_Z0 = 156543.03392804097
R = 6378137.0  # the sphere of Web Mercator
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

    ``overdue`` counts the events whose running clock is past due at ``now``; a cluster's
    ``category`` is its commonest one (ties: the first in code order).
    """
    inside = qs.filter(location__intersects=Polygon.from_bbox(bbox))
    # Whether there are more than MAX_POINTS stops counting there; past it the grouped
    # query below counts them all, in the same pass.
    few = inside[:MAX_POINTS + 1].count()
    late = Q(due_at__lt=now)
    if few <= MAX_POINTS:
        total = few
        rows = inside.values_list("code", "category", "state", "location", "due_at")
        return {"mode": "points", "total": total, "cell_m": None, "features": [
            {"code": code, "category": cat, "state": state, "lon": round(p.x, 7),
             "lat": round(p.y, 7), "count": 1,
             "overdue": int(due is not None and due < now)}
            for code, cat, state, p, due in rows]}
    size = cell_metres(zoom)
    # Spherical Mercator (EPSG:3857's own formulas) in SQL arithmetic: the same metres as
    # ST_Transform at a fraction of its cost per row.
    mx = R * Radians(_X("location"))
    my = R * Ln(Tan(Value(math.pi / 4) + Radians(_Y("location")) / 2))
    # One pass: counts and mean positions per (cell, category), folded into cells here.
    groups = (inside.annotate(mx=mx, my=my)
              .annotate(cx=Floor(F("mx") / size), cy=Floor(F("my") / size))
              .values("cx", "cy", "category")
              .annotate(n=Count("id"), late=Count("id", filter=late), x=Avg("mx"),
                        y=Avg("my"))
              .order_by("cx", "cy", "category"))
    cells: dict[tuple[float, float], dict[str, Any]] = {}
    for r in groups:
        cell = cells.setdefault((r["cx"], r["cy"]), {"n": 0, "late": 0, "sx": 0.0, "sy": 0.0,
                                                     "by": Counter()})
        cell["n"] += r["n"]
        cell["late"] += r["late"]
        cell["sx"] += r["x"] * r["n"]
        cell["sy"] += r["y"] * r["n"]
        cell["by"][r["category"]] += r["n"]
    found = list(cells.values())
    xy = [(c["sx"] / c["n"], c["sy"] / c["n"]) for c in found]
    features = []
    # Cells split at a corner would draw overlapping symbols: join them.
    for members in join_close_cells(xy, [c["n"] for c in found], JOIN_PX / CELL_PX * size):
        n = sum(found[i]["n"] for i in members)
        by: Counter[str] = sum((found[i]["by"] for i in members), Counter())
        lon, lat = _TO_LONLAT.transform(sum(found[i]["sx"] for i in members) / n,
                                        sum(found[i]["sy"] for i in members) / n)
        features.append({"code": None, "category": min(by, key=lambda k: (-by[k], k)),
                         "state": None, "lon": round(lon, 7), "lat": round(lat, 7),
                         "count": n, "overdue": sum(found[i]["late"] for i in members)})
    total = sum(c["n"] for c in found)
    return {"mode": "cells", "total": total, "cell_m": size, "features": features}
