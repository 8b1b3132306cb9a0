"""Does a set of grid units tile its community? (Django-free)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from .projection import to_local_metres

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
    overlap = 0.0
    if parts:
        tree = shapely.STRtree(parts)
        left, right = tree.query(parts, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i < j:
                overlap += float(_overlay(shapely.intersection, parts[i], parts[j]).area)
    return TilingReport(
        community_m2=float(comm.area),
        grids_m2=float(sum(p.area for p in parts)),
        gap_m2=float(_overlay(shapely.difference, comm, union).area),
        overlap_m2=overlap,
        overhang_m2=float(_overlay(shapely.difference, union, comm).area),
    )


def _overlay(op: Callable[..., BaseGeometry], *args: object) -> BaseGeometry:
    """Run an overlay exactly; on a GEOS robustness failure, again on a 1 mm grid."""
    try:
        return op(*args)
    except shapely.errors.GEOSException:
        return op(*args, grid_size=GRID_M)
