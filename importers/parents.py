"""Find each row's parent by code, else by name, else by location (Django-free).

A name may repeat across the level above (two 和平社区 in two streets), so a
name match is narrowed by the grandparent's name when the row gives one (a
街道名称 column), then by location. Location means the parent polygon holding the
row's representative point; where parents overlap, the one sharing the most area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry


@dataclass
class ParentTable:
    """Candidate parents: codes, names, their own parents' names, polygons."""

    codes: list[str]
    names: list[str]
    scope_names: list[str]
    geoms: list[BaseGeometry]

    def __post_init__(self) -> None:
        self._tree = shapely.STRtree(self.geoms)
        self._by_code = {c: i for i, c in enumerate(self.codes)}
        self._by_name: dict[str, list[int]] = {}
        for i, n in enumerate(self.names):
            self._by_name.setdefault(n.strip(), []).append(i)

    def __len__(self) -> int:
        return len(self.codes)

    def by_location(self, geom: BaseGeometry, among: list[int] | None = None) -> int | None:
        """Index of the parent holding ``geom``'s representative point, or ``None``."""
        point = geom.representative_point()
        hits = [int(i) for i in self._tree.query(point, predicate="intersects")]
        if among is not None:
            hits = [i for i in hits if i in among]
        if len(hits) <= 1 or geom.geom_type == "Point":
            return hits[0] if hits else None
        shares = [self.geoms[i].intersection(geom).area for i in hits]
        return hits[int(np.argmax(shares))]

    def match(self, code: str | None, name: str | None, scope_name: str | None,
              geom: BaseGeometry) -> tuple[int | None, str]:
        """(index or None, how): how is code, name, location or why nothing matched."""
        if code:
            i = self._by_code.get(code)
            return (i, "code") if i is not None else \
                (None, _("没有代码为 %(code)s 的上级") % {"code": code})
        if name:
            found = self._by_name.get(name.strip(), [])
            if scope_name and len(found) > 1:
                found = [i for i in found if self.scope_names[i] == scope_name.strip()]
            if len(found) == 1:
                return found[0], "name"
            if len(found) > 1:
                i = self.by_location(geom, found)
                if i is not None:
                    return i, "name+location"
                return None, (_("有 %(n)s 个上级都叫 %(name)s；请加一列代码，或上一级的名称")
                              % {"n": len(found), "name": name})
            i = self.by_location(geom)
            if i is not None:
                return i, "location"
            return None, _("没有名为 %(name)s 的上级，该行所在位置也没有") % {"name": name}
        i = self.by_location(geom)
        return (i, "location") if i is not None else (None, _("该行所在位置没有上级"))
