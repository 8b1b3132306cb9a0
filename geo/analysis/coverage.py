"""Walking coverage of households by service centers (Django-free).

Every building's walking distance to its nearest (licensed) center comes from one
:class:`~geo.analysis.nearest.CenterField`; the share within reach r of a group of buildings is

    share_r = Σ households_b [d_b ≤ r] / Σ households_b

(household-weighted, so empty buildings count for nothing; NaN for a group with no
households).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from .nearest import CenterField
from .text import Text

MAX_REACHES = 8


def parse_reaches(text: str) -> list[float]:
    """Metres from "300,500,1000", sorted and distinct; ValueError saying what is wrong.

    At most ``MAX_REACHES`` values, each a finite number in (0, 5000]: every reach is a
    column of every table and a polygon per center, so hundreds would stall a report.
    """
    try:
        reaches = sorted({float(v) for v in text.split(",") if v.strip()})
    except ValueError as exc:
        raise ValueError(Text("步行范围请填以逗号分隔的米数，例如 300,500,1000")) from exc
    if not reaches or not all(math.isfinite(r) for r in reaches) or reaches[0] <= 0 or \
            reaches[-1] > 5000:
        raise ValueError(Text("步行范围须在 0 到 5000 米之间"))
    if len(reaches) > MAX_REACHES:
        raise ValueError(Text("步行范围最多 %(max)s 个，收到 %(n)s 个", max=MAX_REACHES,
                              n=len(reaches)))
    return reaches


def reach_column(reach: float) -> str:
    """Column name of the share within ``reach`` metres, e.g. ``within_300m``."""
    return f"within_{int(reach)}m"


def coverage_table(distance: npt.ArrayLike, households: npt.ArrayLike,
                   keys: Sequence[object], reaches: Sequence[float]) -> pd.DataFrame:
    """Household-weighted shares within each reach, one row per key.

    Parameters
    ----------
    distance : (B,) metres from each building to its nearest center (inf if none)
    households : (B,) households per building
    keys : (B,) the group each building belongs to (grid, community, ... code); None
        groups are dropped
    reaches : metres
    """
    frame = pd.DataFrame({"key": list(keys), "d": np.asarray(distance, dtype=np.float64),
                          "hh": np.asarray(households, dtype=np.float64)})
    frame = frame[frame["key"].notna()]
    for r in reaches:
        frame[reach_column(r)] = frame["hh"] * (frame["d"] <= r)
    frame["max_d"] = np.where(frame["hh"] > 0, frame["d"], np.nan)
    agg = frame.groupby("key").agg(
        buildings=("hh", "size"), households=("hh", "sum"),
        **{reach_column(r): (reach_column(r), "sum") for r in reaches},
        worst_m=("max_d", "max"),
    )
    for r in reaches:
        col = reach_column(r)
        agg[col] = np.where(agg["households"] > 0, agg[col] / agg["households"], np.nan)
    agg["households"] = agg["households"].astype(int)
    return agg.reset_index()


def coverage_by_level(distance: npt.ArrayLike, households: npt.ArrayLike,
                      levels: Mapping[str, Sequence[object]],
                      reaches: Sequence[float]) -> dict[str, pd.DataFrame]:
    """:func:`coverage_table` for each hierarchy level (grid, community, street, ...)."""
    return {name: coverage_table(distance, households, keys, reaches)
            for name, keys in levels.items()}


def reach_polygons(field: CenterField, reaches: Sequence[float],
                   buffer_m: float = 25.0) -> list[tuple[int, float, BaseGeometry]]:
    """For each center and reach, the area within that walk of it (where it is nearest).

    The network parts within r of a center, taking partial edges, are buffered by
    ``buffer_m`` (the width people walk off the road into buildings) and merged. Each
    part of the network belongs to its nearest center only, so a center's area is its
    service area for that reach. Returns (center index, reach, WGS84 polygon).
    """
    g = field.graph
    out: list[tuple[int, float, BaseGeometry]] = []
    u, v, length = g.edge_u, g.edge_v, g.edge_length
    for r in reaches:
        pieces: dict[int, list[BaseGeometry]] = {}
        for end, from_start in ((u, True), (v, False)):
            left = r - field.dist[end]
            src = field.source[end]
            for e in np.nonzero((left > 0) & (src >= 0))[0]:
                line = g.lines_m[e]
                frac = min(1.0, float(left[e]) / float(length[e]))
                a, b = (0.0, frac * line.length) if from_start else \
                    ((1 - frac) * line.length, line.length)
                pieces.setdefault(int(src[e]), []).append(shapely.ops.substring(line, a, b))
        for c, parts in sorted(pieces.items()):
            merged = shapely.union_all(shapely.buffer(np.asarray(parts, dtype=object),
                                                      buffer_m, quad_segs=4))
            coords_back = shapely.transform(
                merged, lambda xy: np.column_stack(g.to_lonlat.transform(xy[:, 0], xy[:, 1])))
            out.append((c, float(r), coords_back))
    return out
