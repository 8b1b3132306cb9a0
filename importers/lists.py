"""Import 三张清单 and 指引牌 from CSV or XLSX, all rows or none: communities' needs,
co-building units' resources, and the direction signs already standing or approved. Every
row is a new item.

A need names its community by code; it is served at its community's center (or inside the
community) unless the row gives a longitude and latitude inside it. A resource names its
unit by the system number or the unit's own code (several branches share a name: a name
is only a check), of a unit standing in the importer's scope. A sign names its center the
same way, and stands where the row says; what the ledger leaves out (the walk, the arrow,
the text) is filled in from the straight line to the center, to be corrected by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import CoBuildingUnit, Community, Need, Origin, Resource
from geo.models.audit import bulk_create
from geo.services.access import unit_code
from geo.services.lists import community_anchor

from .fields import MappingError
from .organisation import in_scope
from .tabular import SheetImport, check_rows, read_sheet
from .values import ValueProblem


def import_needs(path: Path, *, scope: str = "", dry_run: bool = False,
                 sheet_name: str | None = None, header_row: int | None = None,
                 source: str | None = None) -> SheetImport:
    """Check every row of ``path``; when all are good and not ``dry_run``, store them."""
    sheet = read_sheet(path, "needs", ("community_code", "kind", "title"), sheet_name,
                       header_row)
    comms = {c.code: c for c in Community.objects.all()}
    today = timezone.localdate()
    result = SheetImport()
    rows: list[Need] = []
    anchors: dict[int, Point] = {}

    def check(v: dict[str, Any], _row: Any) -> None:
        code = str(v["community_code"])
        comm = comms.get(code)
        if comm is None:
            raise ValueProblem("unknown_community", _("没有代码为 %(code)s 的社区")
                               % {"code": code})
        in_scope(scope, code)
        if (v.get("lon") is None) != (v.get("lat") is None):
            raise ValueProblem("half_a_place", _("经度和纬度要么都填，要么都空"))
        if v.get("lon") is not None:
            at = Point(float(v["lon"]), float(v["lat"]), srid=4326)
            if not comm.geom.buffer(0.0005).covers(at):
                raise ValueProblem("outside_community", _("需求的位置不在%(name)s内")
                                   % {"name": comm.name})
        else:
            if comm.pk not in anchors:
                anchors[comm.pk] = community_anchor(comm)
            at = anchors[comm.pk]
        year = int(v.get("year") or today.year)
        if year > today.year + 1:
            raise ValueProblem("bad_year", _("年度 %(year)s 太远：最多登记明年的需求")
                               % {"year": year})
        rows.append(Need(community=comm, year=year, kind=v["kind"], title=str(v["title"]),
                         detail=str(v.get("detail") or ""), quantity=int(v.get("quantity") or 1),
                         location=at, posted_on=today, origin=Origin.IMPORTED,
                         source=(source or path.name)[:200]))

    check_rows(sheet, result, check)
    return _store(Need, rows, result, dry_run, source or path.name)


def import_resources(path: Path, *, scope: str = "", dry_run: bool = False,
                     sheet_name: str | None = None, header_row: int | None = None,
                     source: str | None = None) -> SheetImport:
    """Check every row of ``path``; when all are good and not ``dry_run``, store them."""
    sheet = read_sheet(path, "resources", ("kind", "title"), sheet_name, header_row)
    if "unit_id" not in sheet.used and "unit_code" not in sheet.used:
        raise MappingError("missing_column", _(
            "%(name)s 须有“单位系统编号”或“单位编号”列：单位可能同名，不按名称认单位") % {
                "name": path.name})
    units = {u.pk: u for u in CoBuildingUnit.objects.filter(candidate=False)}
    by_code: dict[str, list[CoBuildingUnit]] = {}
    for u in units.values():
        if u.code:
            by_code.setdefault(u.code, []).append(u)
    places: dict[int, str] = {}
    today = timezone.localdate()
    result = SheetImport()
    rows: list[Resource] = []

    def check(v: dict[str, Any], _row: Any) -> None:
        unit = _unit(v, units, by_code)
        if unit.pk not in places:
            places[unit.pk] = unit_code(unit)
        in_scope(scope, places[unit.pk])
        first = v.get("available_from") or dt.date(today.year, 1, 1)
        last = v.get("available_until") or dt.date(first.year, 12, 31)
        if last < first:
            raise ValueProblem("bad_dates", _("截止日期早于起始日期"))
        rows.append(Resource(unit=unit, kind=v["kind"], title=str(v["title"]),
                             detail=str(v.get("detail") or ""),
                             capacity=int(v.get("capacity") or 1), available_from=first,
                             available_until=last, origin=Origin.IMPORTED,
                             source=(source or path.name)[:200]))

    check_rows(sheet, result, check)
    return _store(Resource, rows, result, dry_run, source or path.name)


def _unit(v: dict[str, Any], units: dict[int, CoBuildingUnit],
          by_code: dict[str, list[CoBuildingUnit]]) -> CoBuildingUnit:
    """The unit a row names by number or code; its name, when given, must agree."""
    unit: CoBuildingUnit | None = None
    if v.get("unit_id") is not None:
        unit = units.get(int(v["unit_id"]))
        if unit is None:
            raise ValueProblem("unknown_unit", _("没有系统编号为 %(id)s 的共建单位")
                               % {"id": v["unit_id"]})
    elif v.get("unit_code"):
        found = by_code.get(str(v["unit_code"]), [])
        if len(found) != 1:
            raise ValueProblem("unknown_unit", _("单位编号 %(code)s 对应 %(n)s 个共建单位，"
                                                 "请改填系统编号") % {
                "code": v["unit_code"], "n": len(found)})
        unit = found[0]
    else:
        raise ValueProblem("unknown_unit", _("请填写单位系统编号或单位编号"))
    name = str(v.get("unit_name") or "").strip()
    if name and name != unit.name:
        raise ValueProblem("unit_mismatch", _("编号对应的单位是“%(name)s”，不是“%(given)s”")
                           % {"name": unit.name, "given": name})
    return unit


def _store(model: Any, rows: list[Any], result: SheetImport, dry_run: bool,
           source: str) -> SheetImport:
    if result.problems:
        return result
    result.created = len(rows)
    if not dry_run:
        with transaction.atomic():
            bulk_create(model, rows, reason=_("导入 %(source)s") % {"source": source})
        result.written = True
    return result


def import_signs(path: Path, *, scope: str = "", dry_run: bool = False,
                 sheet_name: str | None = None, header_row: int | None = None,
                 source: str | None = None) -> SheetImport:
    """Check every row of ``path``; when all are good and not ``dry_run``, store them."""
    from geo.analysis.projection import geodesic_matrix
    from geo.analysis.signs import bearing
    from geo.models import DirectionSign, ServiceCenter, SignStatus
    from geo.services.access import object_code

    sheet = read_sheet(path, "signs", ("lon", "lat"), sheet_name, header_row)
    if "center_id" not in sheet.used and "center_code" not in sheet.used:
        raise MappingError("missing_column", _(
            "%(name)s 须有“中心系统编号”或“中心编号”列：中心可能同名，不按名称认中心") % {
                "name": path.name})
    centers = {c.pk: c for c in ServiceCenter.objects.select_related(
        "community", "street__district")}
    by_code = {c.code: c for c in centers.values() if c.code}
    today = timezone.localdate()
    result = SheetImport()
    rows: list[DirectionSign] = []

    def check(v: dict[str, Any], _row: Any) -> None:
        if v.get("center_id") is not None:
            center = centers.get(int(v["center_id"]))
        else:
            center = by_code.get(str(v.get("center_code") or ""))
        if center is None:
            raise ValueProblem("unknown_center", _("没有这个服务中心：请填写中心系统编号或编号"))
        name = str(v.get("center_name") or "").strip()
        if name and name != center.name:
            raise ValueProblem("center_mismatch", _("编号对应的中心是“%(name)s”，不是“%(given)s”")
                               % {"name": center.name, "given": name})
        in_scope(scope, object_code(center))
        lon, lat = float(v["lon"]), float(v["lat"])
        cx, cy = center.location.x, center.location.y
        straight = float(geodesic_matrix([(lon, lat)], [(cx, cy)])[0, 0])
        if straight > 5_000:
            raise ValueProblem("too_far", _("指引牌离%(name)s有 %(m).0f 米，不像是指向它的牌")
                               % {"name": center.name, "m": straight})
        on = v.get("installed_on")
        if on is not None and on > today:
            raise ValueProblem("bad_dates", _("安装日期不能晚于今天"))
        metres = int(v.get("walk_m") or max(1, round(straight / 10) * 10))
        to_center = bearing(lon, lat, cx, cy)
        rows.append(DirectionSign(
            center=center, location=Point(lon, lat, srid=4326), road=str(v.get("road") or ""),
            walk_m=metres, bearing_deg=round(to_center, 1),
            route_bearing_deg=float(v["route_bearing_deg"]) if v.get("route_bearing_deg")
            is not None else round(to_center, 1),
            text=str(v.get("text") or _("→ %(name)s %(metres)s 米") % {
                "name": center.name, "metres": metres}),
            status=v.get("status") or SignStatus.INSTALLED,
            installed_on=on, origin=Origin.IMPORTED, source=(source or path.name)[:200]))

    check_rows(sheet, result, check)
    return _store(DirectionSign, rows, result, dry_run, source or path.name)
