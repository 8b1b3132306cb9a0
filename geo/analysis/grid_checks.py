"""Does a set of grid units tile its community? (Django-free)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from .projection import extent_crs, from_local_metres, to_local_metres
from .text import Text

GRID_M = 1e-3


@dataclass(frozen=True)
class TilingReport:
    """Areas in m² describing how grids cover a community.

    ``gap`` is community area no grid covers, ``overhang`` is grid area outside the
    community, ``overlap`` is area counted by more than one grid
    (sum of grid areas minus the area of their union).
    """

    community_m2: float
    grids_m2: float
    gap_m2: float
    overlap_m2: float
    overhang_m2: float

    def tiles(self, tolerance_m2: float = 1.0) -> bool:
        """True when gap, overlap and overhang are each within ``tolerance_m2``."""
        return max(self.gap_m2, self.overlap_m2, self.overhang_m2) <= tolerance_m2


def tiling_report(community: BaseGeometry, grids: Sequence[BaseGeometry]) -> TilingReport:
    """Measure gaps, overlaps and overhangs of ``grids`` over ``community``.

    Parameters
    ----------
    community, grids : shapely geometries in EPSG:4326 (lon, lat)

    Notes
    -----
    Geometries are projected to a Lambert azimuthal equal-area CRS centred on the
    community, so areas are in m² without the distortion of degrees. Overlap is
    the sum of pairwise intersections. An overlay that GEOS cannot node exactly is
    rerun on a 1 mm precision grid.
    """
    projected = [shapely.make_valid(g) for g in to_local_metres([community, *grids])]
    comm, parts = projected[0], projected[1:]
    union = _overlay(shapely.union_all, parts) if parts else shapely.Polygon()
    overlap = sum(float(inter.area) for _, _, inter in _pairwise_overlaps(parts))
    return TilingReport(
        community_m2=float(comm.area),
        grids_m2=float(sum(p.area for p in parts)),
        gap_m2=float(_overlay(shapely.difference, comm, union).area),
        overlap_m2=overlap,
        overhang_m2=float(_overlay(shapely.difference, union, comm).area),
    )


def _pairwise_overlaps(parts: Sequence[BaseGeometry]
                       ) -> Iterator[tuple[int, int, BaseGeometry]]:
    """(i, j, intersection) for every pair i < j of touching geometries (STRtree-filtered)."""
    if not parts:
        return
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            yield i, j, _overlay(shapely.intersection, parts[i], parts[j])


def _overlay(op: Callable[..., BaseGeometry], *args: object) -> BaseGeometry:
    """Run an overlay exactly; on a GEOS robustness failure, again on a 1 mm grid."""
    try:
        return op(*args)
    except shapely.errors.GEOSException:
        return op(*args, grid_size=GRID_M)


@dataclass(frozen=True)
class GridFinding:
    """One failed grid check: what, which grid(s), a message, and where (WGS84)."""

    kind: str
    codes: tuple[str, ...]
    message: Text
    area_m2: float | None = None
    geom: BaseGeometry | None = None

NON_RESIDENTIAL = ("production", "road_traffic")  # ZoneType values without a range


@dataclass(frozen=True)
class GridRecord:
    """A grid as the checks see it: code, WGS84 geometry, households and kind.

    The household range applies to residential grids only: a work (作业) or transport
    (交通) grid may hold few households or none.
    """

    code: str
    geom: BaseGeometry
    households: int
    kind: str = "residential"

    @property
    def residential(self) -> bool:
        """Whether the household range applies (unknown kinds count as residential)."""
        return self.kind not in NON_RESIDENTIAL


def check_community_grids(community_code: str, community: BaseGeometry,
                          grids: Sequence[GridRecord], households_range: tuple[int, int],
                          min_area_m2: float = 1.0) -> list[GridFinding]:
    """Every rule a community's grids must meet; [] when they all pass.

    Checks: each grid inside the community (overhang), no two grids overlapping, no
    gap the grids leave (each piece over ``min_area_m2`` reported with its polygon),
    households within ``households_range``, codes of 15 digits under the community's
    code, unique, and numbered west→east then north→south. Only clear breaches of that
    order are reported, as grids are irregular: grid A must come before grid B when A
    lies wholly north of B, or when both lie in one row (each one's interior point is
    within the other's north–south extent) and A lies wholly west of B.
    """
    findings: list[GridFinding] = []
    if not grids:
        return [GridFinding("no_grids", (), Text("社区 %(community)s 没有网格",
                                                  community=community_code))]
    crs = extent_crs([community, *[g.geom for g in grids]])
    comm, *parts = (shapely.make_valid(g)
                    for g in to_local_metres([community, *[g.geom for g in grids]], crs))

    def piece(kind: str, codes: tuple[str, ...], geom_m: BaseGeometry, text: Text) -> None:
        for poly in getattr(geom_m, "geoms", [geom_m]):
            if poly.area > min_area_m2 and poly.geom_type == "Polygon":
                message = Text("%(finding)s：%(area).1f m²", finding=text, area=poly.area)
                findings.append(GridFinding(kind, codes, message,
                                            float(poly.area),
                                            from_local_metres([poly], crs)[0]))

    for rec, part in zip(grids, parts, strict=True):
        piece("overhang", (rec.code,), _polygonal(_overlay(shapely.difference, part, comm)),
              Text("网格 %(grid)s 超出社区边界", grid=rec.code))
    for i, j, inter in _pairwise_overlaps(parts):
        piece("overlap", (grids[i].code, grids[j].code), _polygonal(inter),
              Text("网格 %(grid)s 与 %(other)s 重叠", grid=grids[i].code, other=grids[j].code))
    union = _overlay(shapely.union_all, parts)
    piece("gap", (), _polygonal(_overlay(shapely.difference, comm, union)),
          Text("社区 %(community)s 有网格未覆盖的空隙", community=community_code))
    low, high = households_range
    for rec in grids:
        if rec.residential and not low <= rec.households <= high:
            findings.append(GridFinding("households", (rec.code,),
                                        Text("网格 %(grid)s 户数 %(households)s 不在 "
                                             "%(low)s–%(high)s 之间", grid=rec.code,
                                             households=rec.households, low=low, high=high)))
    findings += _code_findings(community_code, grids)
    return findings


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the areal parts of an overlay result (lines and points have no area)."""
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _code_findings(community_code: str, grids: Sequence[GridRecord]) -> list[GridFinding]:
    out = []
    seen: dict[str, int] = {}
    for rec in grids:
        seen[rec.code] = seen.get(rec.code, 0) + 1
        if len(rec.code) != 15 or not rec.code.isdigit() or \
                not rec.code.startswith(community_code):
            out.append(GridFinding("code", (rec.code,),
                                   Text("网格代码 %(grid)s 应为社区代码 %(community)s 加三位序号",
                                        grid=rec.code, community=community_code)))
    for code, n in seen.items():
        if n > 1:
            out.append(GridFinding("code_duplicate", (code,),
                                   Text("网格代码 %(grid)s 重复 %(n)s 次", grid=code, n=n)))
    must = _precedence([r.geom for r in grids])
    for a, b in sorted(must):
        if grids[a].code > grids[b].code:
            where = must[(a, b)]
            out.append(GridFinding(
                "code_order", (grids[a].code, grids[b].code),
                Text("网格 %(grid)s 在 %(other)s 之北，编号应在前", grid=grids[a].code,
                     other=grids[b].code) if where == "north" else
                Text("网格 %(grid)s 在 %(other)s 之西，编号应在前", grid=grids[a].code,
                     other=grids[b].code)))
    return out


def _precedence(geoms: Sequence[BaseGeometry]) -> dict[tuple[int, int], str]:
    """Pairs (a, b) where grid a must be numbered before grid b, and why.

    a precedes b when a lies wholly north of b, or when both lie in one row (each
    interior point within the other's north–south extent) and a lies wholly west of b.
    """
    points = [shapely.point_on_surface(g) for g in geoms]
    boxes = [g.bounds for g in geoms]
    out: dict[tuple[int, int], str] = {}
    for a, (pa, ba) in enumerate(zip(points, boxes, strict=True)):
        for b, (pb, bb) in enumerate(zip(points, boxes, strict=True)):
            if a == b:
                continue
            if ba[1] >= bb[3]:
                out[(a, b)] = "north"
            elif bb[1] <= pa.y <= bb[3] and ba[1] <= pb.y <= ba[3] and ba[2] <= bb[0]:
                out[(a, b)] = "west"
    return out


def reading_order(geoms: Sequence[BaseGeometry]) -> list[int]:
    """Indices of ``geoms`` in numbering order: west→east, then north→south.

    A topological order of the precedence :func:`check_community_grids` enforces, ties
    broken north-west first by interior point; so numbering grids in this order never
    fails the check (should the precedence have a cycle, the rest follow the tie-break).
    """
    n = len(geoms)
    points = [shapely.point_on_surface(g) for g in geoms]
    key = [(-p.y, p.x, i) for i, p in enumerate(points)]
    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in _precedence(geoms):
        succ[a].append(b)
        indeg[b] += 1
    ready = [key[i] for i in range(n) if indeg[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    done = [False] * n
    while len(order) < n:
        if not ready:
            rest = min(key[i] for i in range(n) if not done[i])
            heapq.heappush(ready, rest)
            indeg[rest[2]] = 0
        i = heapq.heappop(ready)[2]
        if done[i]:
            continue
        done[i] = True
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0 and not done[j]:
                heapq.heappush(ready, key[j])
    return order
