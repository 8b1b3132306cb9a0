"""Households of imported buildings when the file has no counts (Django-free).

A footprint file without a households column used to give every building a real-looking
0. Now each building without a count is estimated with the documented household model
(:class:`geo.analysis.households.HouseholdModel`: footprint × levels × usable share / m² per
household) and marked estimated; levels come from a levels column, else from a height
column (3 m a storey), else the model's default. A building marked non-residential holds
no households (that is data, not a guess). The notes say which columns were absent and
what was assumed, so the steward sees it before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from geo.analysis.households import HouseholdModel
from geo.analysis.projection import to_local_metres

if TYPE_CHECKING:
    from .prepare import Prepared


def fill_building_households(prepared: Prepared, model: HouseholdModel | None = None) -> None:
    """Estimate households of the buildings in ``prepared`` that have no count (in place)."""
    if prepared.kind != "buildings" or not prepared.records:
        return
    mdl = model or HouseholdModel()
    columns = set(prepared.mapping.columns)
    records = prepared.records
    areas = [g.area for g in to_local_metres([r.geom for r in records])]
    from_height = estimated = defaulted = 0
    for rec, area in zip(records, areas, strict=True):
        v = rec.values
        height = v.pop("height", None)
        if v.get("levels") is None and height:
            v["levels"] = mdl.levels_from_height(float(height))
            from_height += 1
        if v.get("households") is not None:
            continue
        if v.get("residential") is False:
            v["households"], v["households_estimated"] = 0, False
            continue
        if v.get("levels") is None:
            defaulted += 1
        v["households"] = mdl.building(area, v.get("levels"))
        v["households_estimated"] = True
        estimated += 1
    absent = [name for name in ("households", "residential", "levels", "height")
              if name not in columns]
    if absent:
        prepared.notes.append(_("文件中没有这些列：%(columns)s") % {"columns": ", ".join(absent)})
    if estimated:
        note = _("%(n)s 栋楼的户数为估算：占地面积 × 层数 × %(ratio)s ÷ 每户 %(m2)s m²，"
                 "已标为估算") % {"n": estimated, "ratio": f"{mdl.usable_ratio:g}",
                                 "m2": f"{mdl.m2_per_household:g}"}
        if defaulted:
            note += _("；%(n)s 栋没有层数或高度，按 %(levels)s 层计") % {
                "n": defaulted, "levels": mdl.default_levels}
        if "residential" not in columns:
            note += _("；没有“是否住宅”列，所有楼栋均按住宅计")
        prepared.notes.append(note)
    if from_height:
        prepared.notes.append(_("%(n)s 栋楼的层数由高度推算（每层 %(m)s 米）") % {
            "n": from_height, "m": f"{mdl.metres_per_level:g}"})
