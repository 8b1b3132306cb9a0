"""How good a grid plan is: range, balance, compactness, boundaries on roads (Django-free).

The figures a planner and the benchmark read for each community's plan:

- ``in_range``: share of grids holding ``lo``–``hi`` households;
- ``max_min``: households of the largest grid over the smallest (∞ with an empty grid);
  both over residential grids when ``kinds`` are given (a station or business grid is
  meant to hold few or no households);
- ``polsby_popper``: median of 4πA / P² over the grids (1 for a disc; in metres);
- ``on_edges``: share of the grids' inner boundary length (the community's own boundary
  excepted) within ``tolerance_m`` of a road, water edge or compound wall.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from .projection import extent_crs, to_local_metres


@dataclass(frozen=True)
class PlanMetrics:
    """The figures of one community's plan (see the module)."""

    grids: int
    in_range: float
    max_min: float
    polsby_popper: float
    on_edges: float
    inner_m: float


def plan_metrics(community: BaseGeometry, grids: Sequence[BaseGeometry],
                 households: Sequence[float], edges: Sequence[BaseGeometry], lo: float,
                 hi: float, tolerance_m: float = 5.0,
                 kinds: Sequence[str] | None = None) -> PlanMetrics:
    """Metrics of ``grids`` (EPSG:4326) over ``community`` against ``edges`` (EPSG:4326)."""
    if not grids:
        return PlanMetrics(0, 0.0, math.inf, 0.0, 0.0, 0.0)
    crs = extent_crs([community])
    comm, *rest = to_local_metres([community, *grids, *edges], crs)
    local, lines = rest[:len(grids)], rest[len(grids):]
    homes = [h for i, h in enumerate(households)
             if kinds is None or kinds[i] == "residential"] or [0.0]
    inside = sum(1 for h in homes if lo <= h <= hi) / len(homes)
    smallest = min(homes)
    ratio = max(homes) / smallest if smallest > 0 else math.inf
    pp = statistics.median(4 * math.pi * g.area / g.length ** 2 for g in local if g.length)
    inner = shapely.union_all([g.boundary for g in local]).difference(
        comm.boundary.buffer(0.5))
    near = shapely.union_all(lines).buffer(tolerance_m) if lines else shapely.Polygon()
    on = inner.intersection(near).length if not inner.is_empty else 0.0
    return PlanMetrics(len(grids), inside, ratio, pp,
                       on / inner.length if inner.length else 1.0, float(inner.length))
