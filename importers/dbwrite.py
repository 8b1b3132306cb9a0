"""Helpers the database writers share: shapely → GEOS, and free provisional codes."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.db.models.functions import Length
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from geo.analysis.codes import CODE_LENGTHS, child_code
from geo.models.base import SRID


def geos(geom: BaseGeometry) -> Any:
    """A shapely geometry (WGS84) as GEOS with the project's SRID.

    Typed ``Any``: the GEOS class (Point, MultiPolygon ...) follows the shape's type.
    """
    return GEOSGeometry(memoryview(wkb.dumps(geom)), srid=SRID)


def free_code(model: type[models.Model], parent_code: str, level: str,
              used: dict[str, set[int]]) -> str:
    """A free code under ``parent_code``, counting down from the top of the range.

    Official codes are numbered from 1 upwards; provisional ones from the top
    (…999) downwards, so a later import of official codes does not collide. A district
    (no parent) gets 999999, 999998, …: no province code starts with 99 (GB/T 2260).
    ``used`` caches the sequence numbers taken per parent code across calls.
    """
    taken = used.get(parent_code)
    if taken is None:
        width = CODE_LENGTHS[level]
        codes = model._default_manager.filter(code__startswith=parent_code) \
            .annotate(n=Length("code")).filter(n=width).values_list("code", flat=True)
        taken = used[parent_code] = {int(c[len(parent_code):]) for c in codes}
    seq = 10 ** (CODE_LENGTHS[level] - len(parent_code)) - 1
    while seq in taken:
        seq -= 1
    taken.add(seq)
    return child_code(parent_code, seq, level)
