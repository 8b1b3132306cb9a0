"""Editing operations on a community's grids: split, merge, carve a new grid, households.

Django-free: shapely geometries in EPSG:4326 in, new geometries and plain numbers out.
Areas are measured in a local equal-area projection (metres), never in degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import split as shapely_split

from .errors import GridEditError as GridEditError  # re-exported
from .projection import extent_crs, to_local_metres
from .text import Text

# Pieces smaller than this are slivers of a drawing slip, not a grid.
MIN_PIECE_M2 = 1.0


def as_multi(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal part of ``geom`` as a MultiPolygon (lines and points dropped)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    return MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g])])


def areas_m2(geoms: Sequence[BaseGeometry]) -> list[float]:
    """Area of each geometry in m² (local Lambert azimuthal equal-area projection)."""
    if not geoms:
        return []
    return [float(g.area) for g in to_local_metres(list(geoms), extent_crs(list(geoms)))]


def split_grid(grid: BaseGeometry, line: LineString) -> list[MultiPolygon]:
    """Cut a grid along a drawn line into its pieces, largest first.

    The line must cross the grid from edge to edge; slivers under ``MIN_PIECE_M2`` are
    merged back into the piece they touch most, so a shaky hand cannot create a grid of a
    few square centimetres.
    """
    if not isinstance(line, LineString) or line.is_empty:
        raise GridEditError("bad_line", Text("分割线必须是一条折线"))
    grid = shapely.make_valid(grid)
    if not line.intersects(grid):
        raise GridEditError("line_misses_grid",
                            Text("分割线没有经过该网格"))
    pieces = [p for g in shapely_split(grid, line).geoms
              for p in getattr(g, "geoms", [g]) if isinstance(p, Polygon)]
    sizes = areas_m2(pieces)
    keep = [p for p, a in zip(pieces, sizes, strict=True) if a >= MIN_PIECE_M2]
    slivers = [p for p, a in zip(pieces, sizes, strict=True) if a < MIN_PIECE_M2]
    if len(keep) < 2:
        raise GridEditError(
            "line_does_not_cut",
            Text("分割线需从网格一侧画到另一侧（起点和终点都在网格之外）"))
    for s in slivers:
        touch = [float(s.intersection(k).length) for k in keep]
        keep[int(np.argmax(touch))] = keep[int(np.argmax(touch))].union(s)
    sized = sorted(zip(areas_m2(keep), keep, strict=True), key=lambda t: -t[0])
    return [as_multi(p) for _, p in sized]


def merge_grids(geoms: Sequence[BaseGeometry]) -> MultiPolygon:
    """The union of grids that share a boundary; refuse grids that only meet at a point."""
    if len(geoms) < 2:
        raise GridEditError("merge_needs_two", Text("至少选择两个网格"))
    geoms = [shapely.make_valid(g) for g in geoms]
    merged = shapely.union_all(geoms)
    parts = [p for p in getattr(merged, "geoms", [merged]) if isinstance(p, Polygon)]
    before = sum(len(getattr(g, "geoms", [g])) for g in geoms)
    if len(parts) >= before:
        raise GridEditError("not_adjacent",
                            Text("所选网格互不相邻，不能合并"))
    return as_multi(merged)


@dataclass(frozen=True)
class Carved:
    """A new grid cut out of its community and the grids it took area from."""

    grid: MultiPolygon
    others: list[MultiPolygon | None]


def carve_new_grid(drawn: BaseGeometry, community: BaseGeometry,
                   others: Sequence[BaseGeometry]) -> Carved:
    """A drawn grid clipped to its community; the grids it covers give up that area.

    ``others[i]`` becomes None when the new grid swallows it whole. The result still tiles
    the community when the old grids did.
    """
    new = shapely.make_valid(drawn).intersection(shapely.make_valid(community))
    if new.is_empty or areas_m2([new])[0] < MIN_PIECE_M2:
        raise GridEditError("outside_community",
                            Text("新网格不在社区范围内"))
    out: list[MultiPolygon | None] = []
    for g in others:
        rest = shapely.make_valid(g).difference(new)
        multi = as_multi(rest)
        out.append(None if multi.is_empty or areas_m2([multi])[0] < MIN_PIECE_M2 else multi)
    return Carved(as_multi(new), out)


def households_by_grid(grids: Sequence[BaseGeometry], points: Sequence[BaseGeometry],
                       households: Sequence[int]) -> list[int]:
    """Households of each grid: the sum over buildings whose point lies in it.

    ``points`` are buildings' interior points. A point on a shared edge counts for the first
    grid that covers it, so no household is counted twice.
    """
    totals = [0] * len(grids)
    if not grids or not points:
        return totals
    tree = shapely.STRtree(list(grids))
    pts, grid_idx = tree.query(list(points), predicate="covered_by")
    taken: set[int] = set()
    for p, g in sorted(zip(pts.tolist(), grid_idx.tolist(), strict=True)):
        if p not in taken:
            taken.add(p)
            totals[g] += int(households[p])
    return totals


def households_by_area(grids: Sequence[BaseGeometry], old: Sequence[BaseGeometry],
                       old_households: Sequence[int]) -> list[int]:
    """Households of each grid shared out from the old grids by overlapping area.

    For communities without building data: grid j gets Σ_i h_i · |g_j ∩ o_i| / |o_i|,
    rounded so the total is kept (largest remainders).
    """
    if not grids:
        return []
    crs = extent_crs([*grids, *old]) if old else None
    if crs is None:
        return [0] * len(grids)
    g_m = to_local_metres(list(grids), crs)
    o_m = to_local_metres(list(old), crs)
    share = np.zeros(len(grids))
    for o, h in zip(o_m, old_households, strict=True):
        if o.area <= 0 or not h:
            continue
        for j, g in enumerate(g_m):
            share[j] += h * g.intersection(o).area / o.area
    floor = np.floor(share).astype(int)
    left = round(float(share.sum())) - int(floor.sum())
    for j in np.argsort(-(share - floor))[:max(left, 0)]:
        floor[j] += 1
    return [int(v) for v in floor]
