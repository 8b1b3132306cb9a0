"""Walking coverage of households by service centers (Django-free).

Every building's walking distance to its nearest (licensed) center comes from one
:class:`~geo.analysis.nearest.CenterField`; the share within reach r of a group of buildings is

    share_r = Σ households_b [d_b ≤ r] / Σ households_b

(household-weighted, so empty buildings count for nothing; NaN for a group with no
households).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
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


def lowest_covering(xy: npt.ArrayLike, areas: npt.ArrayLike,
                    codes: Sequence[str]) -> list[str | None]:
    """For each point, the lowest code among the areas covering it (boundary included).

    One STRtree pass over all points (``covered_by``: the point lies in the area or on its
    edge), then the lowest code per point, so a point on an edge two grids share belongs
    to the lower-coded grid, as ``ORDER BY code LIMIT 1`` would say. ``None`` outside
    every area.
    """
    pts = shapely.points(np.asarray(xy, dtype=np.float64).reshape(-1, 2))
    out: list[str | None] = [None] * len(pts)
    if len(pts) == 0 or len(codes) == 0:
        return out
    tree = shapely.STRtree(np.asarray(areas, dtype=object))
    point, area = tree.query(pts, predicate="covered_by")
    rank = np.argsort(np.argsort(np.asarray(codes, dtype=object), kind="stable"))
    order = np.lexsort((rank[area], point))
    point, area = point[order], area[order]
    first = np.ones(point.size, dtype=bool)
    first[1:] = point[1:] != point[:-1]
    for i, j in zip(point[first], area[first], strict=True):
        out[int(i)] = codes[int(j)]
    return out


def reach_polygons(field: CenterField, reaches: Sequence[float], buffer_m: float = 25.0,
                   centers: npt.ArrayLike | None = None) -> list[tuple[int, float, BaseGeometry]]:
    """For each center and reach, the area within that walk of it (where it is nearest).

    The network within r of a center is, for every edge end ``x`` with
    ``left = r - dist[x] > 0`` and ``source[x] = c``, the first ``min(1, left / L_e)`` of
    edge ``e`` from that end. Those pieces are cut in one pass over the edges' vertices
    (numpy; no per-edge Python), buffered by ``buffer_m`` (the width people walk off the
    road into buildings) in one GEOS call and merged per center by a cascaded union. Each
    part of the network belongs to its nearest center only, so a center's area is its
    service area for that reach.

    Parameters
    ----------
    field : the center field (nearest center and distance of every node)
    reaches : walking distances in metres
    buffer_m : half-width of the area around the walked network
    centers : center indices to draw (default all): a scope's page needs only the centers
        nearest to its own buildings, not the whole city's

    Returns
    -------
    (center index, reach, WGS84 polygon), ordered by reach then center.
    """
    g = field.graph
    wanted = np.ones(field.n_centers, dtype=bool)
    if centers is not None:
        wanted[:] = False
        wanted[np.asarray(centers, dtype=np.int64)] = True
    out: list[tuple[int, float, BaseGeometry]] = []
    geometric = shapely.length(g.lines_m)
    for r in reaches:
        # How far into each edge the walk gets from each end, and for which center.
        ends = []
        for end in (g.edge_u, g.edge_v):
            left = r - field.dist[end]
            src = field.source[end]
            on = (left > 0) & (src >= 0)
            on[on] = wanted[src[on]]
            ends.append((on, src, np.where(on, np.minimum(1.0, left / g.edge_length), 0.0)))
        (on_u, src_u, fu), (on_v, src_v, fv) = ends
        # An edge walked whole (from one end, or from both by one center) is drawn once,
        # not as two overlapping pieces.
        whole_u = on_u & ((fu >= 1.0) | (on_v & (src_v == src_u) & (fu + fv >= 1.0)))
        whole_v = on_v & ~whole_u & ((fv >= 1.0) | (on_u & (src_u == src_v) & (fu + fv >= 1.0)))
        part_u = on_u & ~whole_u & ~(whole_v & (src_u == src_v))
        part_v = on_v & ~whole_v & ~(whole_u & (src_u == src_v))
        lines, owner = [], []
        for mask, src in ((whole_u, src_u), (whole_v, src_v)):
            lines.append(g.lines_m[mask])
            owner.append(src[mask])
        for mask, src, frac, from_start in ((part_u, src_u, fu, True), (part_v, src_v, fv, False)):
            take = np.nonzero(mask)[0]
            lines.append(_cut_lines(g.lines_m[take], frac[take] * geometric[take], from_start))
            owner.append(src[take])
        pieces, who = np.concatenate(lines), np.concatenate(owner)
        if who.size == 0:
            continue
        order = np.argsort(who, kind="stable")
        ids, first = np.unique(who[order], return_index=True)
        bounds = np.append(first, who.size)
        # A buffer per piece, then one cascaded union per center: 15-20x faster in GEOS
        # than buffering each center's pieces as one multi-line.
        rings = shapely.buffer(pieces[order], buffer_m, quad_segs=4)
        areas = np.array([shapely.union_all(rings[a:b])
                          for a, b in itertools.pairwise(bounds)], dtype=object)
        back = shapely.transform(
            areas, lambda xy: np.column_stack(g.to_lonlat.transform(xy[:, 0], xy[:, 1])))
        out.extend((int(c), float(r), geom) for c, geom in zip(ids, back, strict=True))
    return out


def _cut_lines(lines: npt.NDArray[np.object_], keep: npt.NDArray[np.float64],
               from_start: bool) -> npt.NDArray[np.object_]:
    """The first (or last) ``keep`` metres of each line, for many lines at once.

    Vertices strictly inside the kept stretch are kept; the cut point is interpolated and
    put after them (from the start) or before them (from the end).
    """
    if len(lines) == 0:
        return np.empty(0, dtype=object)
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    step = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    step[idx[1:] != idx[:-1]] = 0.0  # no step between the last vertex of one line and the next
    run = np.concatenate([[0.0], np.cumsum(step)])
    starts = np.searchsorted(idx, np.arange(len(lines)))
    along = run - run[starts][idx]  # metres from its line's start to each vertex
    total = shapely.length(lines)
    cut_at = keep if from_start else total - keep
    inside = along < cut_at[idx] if from_start else along > cut_at[idx]
    cut = shapely.get_coordinates(shapely.line_interpolate_point(lines, cut_at))
    line_of = np.concatenate([idx[inside], np.arange(len(lines))])
    # Sort each line's points by position along it; the cut point sits at its own position.
    key = np.concatenate([along[inside], cut_at])
    order = np.lexsort((key, line_of))
    pieces: npt.NDArray[np.object_] = shapely.linestrings(
        np.concatenate([xy[inside], cut])[order], indices=line_of[order])
    return pieces
