"""``--create-parents``: write the streets and districts a community file names.

The geometry work is :mod:`importers.dissolve`; this module matches the dissolved areas
to stored ones by name (a district by its name, a street by its name inside its
district), creates the missing ones with provisional codes, and reports rows it
cannot place. The caller holds the transaction: a failed import writes none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from shapely import from_wkb

from geo.models import District, Origin, Street, audit
from geo.roles import covers

from .dbwrite import free_code, geos
from .dissolve import Area, dissolve_parents
from .parents import ParentTable
from .prepare import Prepared, Problem
from .undo import Entry, created

BATCH = 2000


@dataclass
class ParentsMade:
    """Streets and districts created (or found) for a community file."""

    districts_created: list[str] = field(default_factory=list)  # "name (code)"
    streets_created: list[str] = field(default_factory=list)
    districts_found: int = 0
    streets_found: int = 0
    problems: list[Problem] = field(default_factory=list)
    undo: list[Entry] = field(default_factory=list)

    def describe(self) -> str:
        return _("新建区县 %(districts)s 个、街道 %(streets)s 个（临时代码）；"
                 "已有区县 %(found_d)s 个、街道 %(found_s)s 个") % {
            "districts": f"{len(self.districts_created):,}",
            "streets": f"{len(self.streets_created):,}",
            "found_d": f"{self.districts_found:,}", "found_s": f"{self.streets_found:,}"}


def _rows_problem(made: ParentsMade, area: Area, field_name: str, code: str,
                  message: str) -> None:
    for row in area.rows:
        made.problems.append(Problem(row, field_name, code, message))


def _district_for(area: Area, made: ParentsMade, districts: dict[str, Any],
                  located: ParentTable, located_rows: list[Any]) -> Any | None:
    """The district a dissolved street belongs to: by name, else by location."""
    if area.parent_name:
        return districts.get(area.parent_name)
    i = located.by_location(area.geom) if len(located) else None
    if i is None:
        _rows_problem(made, area, "district_name", "no_district", _(
            "街道 %(name)s：该行没有写区县，也没有区县包含它；请加一列区县名称（区县名称/县市区），"
            "或先导入区县") % {"name": area.name})
        return None
    return located_rows[i]


def create_parents(prepared: Prepared, source: str, scope: str | None) -> ParentsMade:
    """Create the districts and streets ``prepared``'s community rows name.

    Rows that carry a street code keep resolving by code; rows without a street name
    are left to the usual lookup (by location).
    """
    made = ParentsMade()
    recs = [r for r in prepared.records
            if r.values.get("street_name") and not r.values.get("street_code")]
    if not recs:
        return made
    d_areas, s_areas = dissolve_parents(
        [r.row for r in recs], [str(r.values["street_name"]).strip() for r in recs],
        [str(r.values.get("district_name") or "").strip() for r in recs],
        [r.geom for r in recs])
    used: dict[str, set[int]] = {}
    stored = list(District.objects.all())
    districts: dict[str, Any] = {}
    new_districts: list[District] = []
    for area in d_areas:
        same = [d for d in stored if d.name == area.name]
        if len(same) > 1:
            _rows_problem(made, area, "district_name", "ambiguous_parent", _(
                "有 %(n)s 个区县都叫 %(name)s；请改为提供街道代码列") % {
                    "n": len(same), "name": area.name})
            continue
        if same:
            districts[area.name] = same[0]
            made.districts_found += 1
            continue
        code = free_code(District, "", "district", used)
        d = District(code=code, code_provisional=True, name=area.name, geom=geos(area.geom),
                     origin=Origin.IMPORTED, source=source)
        if not _allowed(made, area, scope, code):
            continue
        districts[area.name] = d
        new_districts.append(d)
    made.undo += [created(d) for d in audit.bulk_create(
        District, new_districts, BATCH, f"import {source}: --create-parents")]
    made.districts_created = [str(d) for d in new_districts]
    located_rows = stored + new_districts
    located = ParentTable([d.code for d in located_rows], [d.name for d in located_rows],
                          ["" for _ in located_rows],
                          [from_wkb(bytes(d.geom.wkb)) for d in located_rows])
    new_streets: list[Street] = []
    for area in s_areas:
        district = _district_for(area, made, districts, located, located_rows)
        if district is None:
            continue
        found = Street.objects.filter(district=district, name=area.name).first()
        if found is not None:
            made.streets_found += 1
            continue
        code = free_code(Street, district.code, "street", used)
        if not _allowed(made, area, scope, code):
            continue
        new_streets.append(Street(code=code, code_provisional=True, name=area.name,
                                  district=district, geom=geos(area.geom),
                                  origin=Origin.IMPORTED, source=source))
    made.undo += [created(s) for s in audit.bulk_create(
        Street, new_streets, BATCH, f"import {source}: --create-parents")]
    made.streets_created = [str(s) for s in new_streets]
    return made


def _allowed(made: ParentsMade, area: Area, scope: str | None, code: str) -> bool:
    """Whether the importing user's scope covers a new area's code (None: no check)."""
    if scope is None or covers(scope, code):
        return True
    _rows_problem(made, area, "street_name", "out_of_scope", _(
        "%(name)s 将以代码 %(code)s 新建，不在您的工作范围 %(scope)s 内") % {
            "name": area.name, "code": code, "scope": scope or _("全市")})
    return False
