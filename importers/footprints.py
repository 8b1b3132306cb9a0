"""Which stored footprint a file's building or compound is (Django-free).

Buildings and compounds repeat names across a city (two towers called 东方银座, a 阳光小区
in every district), so a name never identifies one. Without a code or an OSM id, a row is
the stored shape it overlaps almost entirely: intersection over union at least
``MATCH_IOU``. A re-surveyed footprint shifted by a metre still matches; a new tower of the
same name across the city does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

MATCH_IOU = 0.9


class FootprintIndex:
    """An STRtree over stored footprints that finds the one a new footprint is."""

    def __init__(self, footprints: Sequence[BaseGeometry]) -> None:
        self.footprints = list(footprints)
        self.tree = shapely.STRtree(self.footprints)

    def same_as(self, geom: BaseGeometry, taken: set[int] = frozenset()  # type: ignore[assignment]
                ) -> int | None:
        """Index of the stored footprint ``geom`` is (IoU ≥ MATCH_IOU, best first), or None.

        Intersection over union is a ratio of areas, so it is the same in degrees as in
        metres over a footprint's few hundred metres (the scale factor cancels).
        """
        hits = [int(i) for i in self.tree.query(geom, predicate="intersects") if i not in taken]
        if not hits:
            return None
        others = np.array([self.footprints[i] for i in hits], dtype=object)
        inter = shapely.area(shapely.intersection(others, geom))
        union = shapely.area(shapely.union(others, geom))
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        best = int(np.argmax(iou))
        return hits[best] if iou[best] >= MATCH_IOU else None
