"""Block units of a community and grid proposals made of them (Django-free).

A community is cut into block units along its roads, water edges and compound walls (the
faces of the planar arrangement of those lines and its boundary), so that a grid made of
whole units has its boundary on a road, water or wall. A unit holding more households than
a grid may is split between its buildings (clusters of building points, Voronoi cells
clipped to the unit); a unit without households joins the neighbour it shares most edge
with.
:func:`propose_grids` then districts the units (:class:`GridDistricting`) and returns the
grids' shapes in reading order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.cluster.vq import kmeans2
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry
from shapely.ops import polygonize, unary_union

from .districting import GridDistricting, Proposal
from .grid_checks import reading_order
from .grid_edit import as_multi
from .projection import extent_crs, from_local_metres, to_local_metres

MIN_SHARED_M = 0.5   # two units touching along less than this are not neighbours
ZONE_SHARE = 0.5     # a block mostly on station or business land is such a zone
ZONE_MIN_M2 = 10_000.0  # a zone smaller than a hectare is no grid of its own


@dataclass(frozen=True)
class BlockUnits:
    """Block units in local metres: shapes, households, shared boundary lengths."""

    shapes: list[BaseGeometry]
    households: np.ndarray
    shared: sparse.csr_matrix
    crs: CRS
    kinds: list[str] = field(default_factory=list)  # a zone's kind, "" for a block

    def zone(self, i: int) -> str:
        """Unit ``i``'s zone kind (``production``, ``road_traffic``) or "" for a block."""
        return self.kinds[i] if self.kinds else ""


def block_units(community: BaseGeometry, cut_lines: Sequence[BaseGeometry],
                points: Sequence[BaseGeometry], households: Sequence[float],
                hi: float, zones: Sequence[tuple[str, BaseGeometry]] = ()) -> BlockUnits:
    """The community's block units (lon/lat in, local metres out).

    Parameters
    ----------
    community : the community's polygon (EPSG:4326).
    cut_lines : roads, water edges and compound walls (EPSG:4326) that units may not cross.
    points, households : each building's point and households.
    hi : the grid's household ceiling; a unit above it is split between its buildings.
    zones : (kind, polygon) of land that makes a grid of its own kind where no one lives
        (``production``: business, industry, campuses; ``road_traffic``: stations and
        yards). A block without households at least ``ZONE_SHARE`` covered by one kind is
        kept apart with that kind, joined with its neighbours of the same kind, when they
        cover ``ZONE_MIN_M2`` together; other blocks without households join a neighbour.
    """
    crs = extent_crs([community])
    comm, *rest = to_local_metres([community, *cut_lines, *points], crs)
    lines, pts = rest[:len(cut_lines)], rest[len(cut_lines):]
    inside = [shapely.intersection(line, comm.buffer(0.01)) for line in lines]
    noded = unary_union([comm.boundary, *[g for g in inside if not g.is_empty]])
    faces = [f for f in polygonize(noded)
             if f.area > 0.01 and comm.contains(f.representative_point())]
    hh = np.asarray(households, dtype=float)
    xy = np.array([[p.x, p.y] for p in pts]) if pts else np.zeros((0, 2))
    owner = _owner(faces, pts)
    shapes, unit_hh = [], []
    for i, face in enumerate(faces):
        mine = np.flatnonzero(owner == i)
        for piece, share in _split_until(face, xy[mine], hh[mine], hi):
            shapes.append(piece)
            unit_hh.append(share)
    kinds = _zone_kinds(shapes, unit_hh, zones, crs)
    shapes, unit_hh, kinds = _absorb_empty(shapes, unit_hh, kinds)
    small = [k if not k or shapes[i].area >= ZONE_MIN_M2 else "" for i, k in enumerate(kinds)]
    if small != kinds:  # zones too small for a grid of their own join a neighbour
        shapes, unit_hh, kinds = _absorb_empty(shapes, unit_hh, small)
    order = _spatial_order(shapes)
    shapes, unit_hh = [shapes[i] for i in order], [unit_hh[i] for i in order]
    return BlockUnits(shapes, np.asarray(unit_hh), _shared_lengths(shapes), crs,
                      [kinds[i] for i in order])


def _zone_kinds(shapes: list[BaseGeometry], hh: list[float],
                zones: Sequence[tuple[str, BaseGeometry]], crs: CRS) -> list[str]:
    """The zone kind of each unit without households mostly on one kind of zone land."""
    kinds = [""] * len(shapes)
    if not zones:
        return kinds
    land: dict[str, list[BaseGeometry]] = {}
    for kind, geom in zones:
        land.setdefault(kind, []).append(geom)
    merged = {k: shapely.union_all(to_local_metres(v, crs)) for k, v in land.items()}
    for i, shape in enumerate(shapes):
        if hh[i] > 0 or shape.area <= 0:
            continue
        share = {k: shapely.intersection(shape, g).area / shape.area for k, g in merged.items()}
        best = max(share, key=lambda k: (share[k], k))
        if share[best] >= ZONE_SHARE:
            kinds[i] = best
    return kinds


def _split_until(face: BaseGeometry, xy: np.ndarray, hh: np.ndarray,
                 hi: float, depth: int = 0) -> list[tuple[BaseGeometry, float]]:
    """``face`` with its buildings, cut again and again until each piece fits ``hi``."""
    total = float(hh.sum())
    if total <= hi or len(xy) < 2 or depth > 6:
        return [(face, total)]
    out = []
    for piece, share in _split(face, xy, hh, hi):
        if share > hi:
            held = np.array([piece.covers(shapely.Point(x, y)) for x, y in xy])
            out.extend(_split_until(piece, xy[held], hh[held], hi, depth + 1))
        else:
            out.append((piece, share))
    return out


def _spatial_order(shapes: list[BaseGeometry]) -> list[int]:
    """Units along a Hilbert curve of their interior points.

    Consecutive units then touch more often than not (the starting plans walk this order).
    """
    if not shapes:
        return []
    pts = np.array([[p.x, p.y] for p in (s.representative_point() for s in shapes)])
    lo, span = pts.min(axis=0), np.ptp(pts, axis=0).max() or 1.0
    cells = ((pts - lo) / span * 1023).astype(int)
    return sorted(range(len(shapes)), key=lambda i: _hilbert(int(cells[i, 0]),
                                                            int(cells[i, 1])))


def _hilbert(x: int, y: int, order: int = 10) -> int:
    """Position of cell (x, y) on a Hilbert curve over a 2^order square."""
    d, s = 0, 1 << (order - 1)
    while s > 0:
        rx, ry = int(x & s > 0), int(y & s > 0)
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s >>= 1
    return d


def _owner(faces: list[BaseGeometry], pts: Sequence[BaseGeometry]) -> np.ndarray:
    """The face holding each point (-1 for none)."""
    out = np.full(len(pts), -1)
    if not faces or not pts:
        return out
    tree = shapely.STRtree(faces)
    pi, fi = tree.query(np.array(pts, dtype=object), predicate="intersects")
    for p, f in zip(pi, fi, strict=True):
        if out[p] < 0:
            out[p] = f
    return out


def _split(face: BaseGeometry, xy: np.ndarray, hh: np.ndarray,
           hi: float) -> list[tuple[BaseGeometry, float]]:
    """``face`` cut between clusters of its buildings, each piece under ``hi`` if it can be."""
    k = min(len(xy), max(2, math.ceil(float(hh.sum()) / (0.8 * hi))))
    _, label = kmeans2(xy, k, seed=0, minit="++")
    centres = [xy[label == c].mean(axis=0) for c in range(k) if (label == c).any()]
    if len(centres) < 2:
        return [(face, float(hh.sum()))]
    cells = shapely.voronoi_polygons(MultiPoint(centres), extend_to=face.envelope.buffer(10))
    out = []
    for cell in cells.geoms:
        piece = shapely.intersection(face, cell)
        if piece.is_empty or piece.area <= 0.01:
            continue
        held = [i for i, (x, y) in enumerate(xy) if piece.covers(shapely.Point(x, y))]
        out.append((piece, float(hh[held].sum())))
    return out


def _absorb_empty(shapes: list[BaseGeometry], hh: list[float], kinds: list[str]
                  ) -> tuple[list[BaseGeometry], list[float], list[str]]:
    """Units without households join the neighbour they share the longest boundary with.

    A strip of green between two roads belongs to whichever grid takes its frontage;
    deciding that here, before districting, leaves the solver only the units that hold
    households (a few dozen instead of a few hundred), at the price of not choosing those
    joins itself. A zone unit (``kinds[i]`` set) joins only a neighbour of its kind.
    """
    n = len(shapes)
    if n < 2:
        return shapes, hh, kinds
    shared = _shared_lengths(shapes).tolil()
    root = list(range(n))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i in sorted(range(n), key=lambda i: shapes[i].area):
        if hh[i] > 0 or find(i) != i:
            continue
        along: dict[int, float] = {}
        for j, w in zip(shared.rows[i], shared.data[i], strict=True):
            r = find(int(j))
            if r != i and (not kinds[i] or kinds[r] == kinds[i]):
                along[r] = along.get(r, 0.0) + float(w)
        if along:
            root[i] = max(along, key=lambda r: (along[r], -r))
            # the neighbour now touches what i touched
            for j, w in zip(shared.rows[i], shared.data[i], strict=True):
                shared[root[i], j] += w
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out_shapes = [unary_union([shapes[i] for i in g]) for g in groups.values()]
    out_hh = [float(sum(hh[i] for i in g)) for g in groups.values()]
    return out_shapes, out_hh, [kinds[r] for r in groups]


def _shared_lengths(shapes: list[BaseGeometry]) -> sparse.csr_matrix:
    n = len(shapes)
    tree = shapely.STRtree(shapes)
    a, b = tree.query(np.array(shapes, dtype=object), predicate="intersects")
    rows, cols, vals = [], [], []
    for i, j in zip(a, b, strict=True):
        if i < j:
            length = shapes[i].boundary.intersection(shapes[j].boundary).length
            if length >= MIN_SHARED_M:
                rows += [i, j]
                cols += [j, i]
                vals += [length, length]
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))


WORK_SHARE = 0.5  # a grid mostly on commercial, industrial or campus land is a work grid


def grid_kinds(grids: Sequence[BaseGeometry], households: Sequence[float],
               work_land: Sequence[BaseGeometry], lo: float) -> list[str]:
    """Each grid's kind: ``production`` (作业) or ``residential`` (居住).

    A grid is a work grid when it holds fewer than ``lo`` households and at least
    ``WORK_SHARE`` of its area is commercial, industrial or campus land (``work_land``,
    EPSG:4326). Zones with no households (stations, yards, business land) get their kind
    from :func:`block_units` instead.
    """
    if not grids:
        return []
    crs = extent_crs(list(grids))
    local = to_local_metres(list(grids), crs)
    work = shapely.union_all(to_local_metres(list(work_land), crs)) if work_land else None
    out = []
    for g, h in zip(local, households, strict=True):
        share = shapely.intersection(g, work).area / g.area if work is not None and g.area else 0
        out.append("production" if h < lo and share >= WORK_SHARE else "residential")
    return out


@dataclass(frozen=True)
class GridProposal:
    """Proposed grids (EPSG:4326, reading order) with households, kinds and the solve."""

    grids: list[BaseGeometry]
    households: list[float]
    units: int
    proposal: Proposal
    kinds: list[str]
    split_blocks: bool = False


@dataclass(frozen=True)
class Site:
    """What a proposal is made from, all in EPSG:4326.

    The community, the lines grids may not cross (roads, water edges, compound walls),
    household points with their households, commercial/industrial/campus land, and
    stations, bus stations and railway yards.
    """

    community: BaseGeometry
    cut_lines: Sequence[BaseGeometry]
    points: Sequence[BaseGeometry]
    households: Sequence[float]
    work_land: Sequence[BaseGeometry] = ()
    transport_land: Sequence[BaseGeometry] = ()

    def zones(self) -> list[tuple[str, BaseGeometry]]:
        """Work and transport land as :func:`block_units` takes them."""
        return ([("production", g) for g in self.work_land]
                + [("road_traffic", g) for g in self.transport_land])


SPLIT_SHARE = 0.6  # second try: blocks over this share of the ceiling are split too


def propose_grids(site: Site, lo: float, hi: float, target: float | None = None,
                  time_limit: float = 1.0) -> GridProposal:
    """Contiguous grids of ``lo``–``hi`` households along roads, water and walls.

    Block units (:func:`block_units`) districted by :class:`GridDistricting`; units cut
    off without households join the nearest grid. Blocks stay whole unless one alone
    exceeds ``hi``; when whole blocks leave households outside the range or the largest
    grid over twice the smallest, the blocks over ``SPLIT_SHARE`` × ``hi`` are split
    between their buildings and solved again, and the better of the two plans (fewer
    households outside, then less imbalance) is kept — ``split_blocks`` says which. The
    proposal's ``reasons`` say why some households are left outside the range or the
    grids unbalanced, when they are.
    """
    zones = site.zones()
    coarse = block_units(site.community, site.cut_lines, site.points, site.households, hi,
                         zones)
    fine = block_units(site.community, site.cut_lines, site.points, site.households,
                       SPLIT_SHARE * hi, zones)
    can_split = len(fine.shapes) != len(coarse.shapes)
    # With blocks to split, balance across grid counts is sought on the second try.
    whole = _districted(site, coarse, lo, hi, target, time_limit, balance=not can_split)
    if not can_split or not (whole.proposal.outside or whole.proposal.unbalanced):
        return whole
    # Start from the whole-block plan: each piece in the grid of the block it came from.
    parent = _owner(coarse.shapes, [s.representative_point() for s in fine.shapes])
    at = {u: j for j, u in enumerate(i for i in range(len(coarse.shapes))
                                     if not coarse.zone(i))}
    start = [whole.proposal.assignment[at[p]] if p in at else -1 for p in parent]
    split = _districted(site, fine, lo, hi, target, time_limit, start)
    better = ((split.proposal.outside, split.proposal.unbalanced)
              < (whole.proposal.outside, whole.proposal.unbalanced))
    return replace(split, split_blocks=True) if better else whole


def _districted(site: Site, units: BlockUnits, lo: float, hi: float, target: float | None,
                time_limit: float, start: Sequence[int] | None = None,
                balance: bool = True) -> GridProposal:
    """Zones as grids of their own; the blocks districted; all in reading order."""
    blocks = [i for i in range(len(units.shapes)) if not units.zone(i)]
    zones = [i for i in range(len(units.shapes)) if units.zone(i)]
    shared = units.shared[blocks][:, blocks]
    plan = GridDistricting(units.households[blocks], shared, lo, hi,
                           [f"#{i + 1}" for i in blocks]).solve(
        target=target, time_limit=time_limit, balance=balance,
        start=None if start is None else [start[i] for i in blocks])
    groups: list[list[int]] = [[] for _ in range(plan.k)]
    for u, d in zip(blocks, plan.assignment, strict=True):
        if d >= 0:
            groups[d].append(u)
    for u in (blocks[i] for i in plan.detached):  # a park across the river: nearest grid
        nearest = min(range(plan.k), key=lambda d: min(
            units.shapes[u].distance(units.shapes[v]) for v in groups[d]))
        groups[nearest].append(u)
    groups += [[z] for z in zones]
    shapes = [unary_union([units.shapes[u] for u in g]) for g in groups]
    lonlat = [as_multi(shapely.make_valid(g)) for g in from_local_metres(shapes, units.crs)]
    counts = [*plan.households, *(float(units.households[z]) for z in zones)]
    order = reading_order(lonlat)
    grids, counts = [lonlat[i] for i in order], [counts[i] for i in order]
    kinds = grid_kinds(grids, counts, site.work_land, lo)
    zone_of = {len(plan.households) + j: units.zone(z) for j, z in enumerate(zones)}
    kinds = [zone_of.get(i, kind) for i, kind in zip(order, kinds, strict=True)]
    return GridProposal(grids, counts, len(units.shapes), plan, kinds)


def spread_over(polygons: Sequence[BaseGeometry], households: Sequence[float],
                within: BaseGeometry, points_per_polygon: int = 40
                ) -> tuple[list[BaseGeometry], list[float]]:
    """Households known per polygon (a compound) as weighted points spread evenly over it.

    Each polygon (EPSG:4326) gets about ``points_per_polygon`` points on a square lattice
    in local metres, each carrying an equal share; only the points inside ``within`` are
    kept, so a compound two communities share is shared by area.
    """
    out_pts: list[BaseGeometry] = []
    out_hh: list[float] = []
    if not polygons:
        return out_pts, out_hh
    crs = extent_crs(list(polygons))
    local = to_local_metres(list(polygons), crs)
    inside = to_local_metres([within], crs)[0]
    for poly, hh in zip(local, households, strict=True):
        if hh <= 0 or poly.area <= 0:
            continue
        step = math.sqrt(poly.area / points_per_polygon)
        x0, y0, x1, y1 = poly.bounds
        xs = np.arange(x0 + step / 2, x1, step)
        ys = np.arange(y0 + step / 2, y1, step)
        grid = [shapely.Point(x, y) for x in xs for y in ys]
        held = [p for p in grid if poly.contains(p)] or [poly.representative_point()]
        share = float(hh) / len(held)
        kept = [p for p in held if inside.contains(p)]
        out_pts.extend(from_local_metres(kept, crs))
        out_hh.extend([share] * len(kept))
    return out_pts, out_hh
