"""Does a set of grid units tile its community? (Django-free)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from .projection import to_local_metres


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
    community, so areas are in m² without the distortion of degrees.
    """
    projected = to_local_metres([community, *grids])
    comm, parts = projected[0], projected[1:]
    union = shapely.union_all(parts) if parts else shapely.Polygon()
    total = float(sum(p.area for p in parts))
    return TilingReport(
        community_m2=float(comm.area),
        grids_m2=total,
        gap_m2=float(comm.difference(union).area),
        overlap_m2=max(0.0, total - float(union.area)),
        overhang_m2=float(union.difference(comm).area),
    )
