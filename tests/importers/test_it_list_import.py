"""import_sheet needs / resources: 三张清单 from sheets; units by number or code, never by
name; needs inside their community; all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from geo.models import CoBuildingUnit, Community, Need, Resource
from geo.services.access import unit_code
from importers.fields import MappingError
from importers.lists import import_needs, import_resources

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path = tmp_path / "sheet.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_it_imports_needs_at_their_communities(demo_db: None, tmp_path: Path) -> None:
    a, b = Community.objects.filter(code__startswith="510199").order_by("code")[:2]
    pa, pb = a.geom.point_on_surface, b.geom.point_on_surface
    year = timezone.localdate().year
    header = ["社区代码", "年度", "类别", "需求", "数量", "经度", "纬度"]
    good = [[a.code, year, "法律", "物业纠纷咨询", 2, pa.x, pa.y],
            [b.code, "", "义诊", "慢病老人体检", "", "", ""]]
    result = import_needs(_csv(tmp_path, header, good))
    assert result.written and result.created == 2, result.problems
    first = Need.objects.get(title="物业纠纷咨询")
    assert (first.kind, first.quantity, first.year, first.community_id) == ("legal", 2, year,
                                                                             a.pk)
    second = Need.objects.get(title="慢病老人体检")
    assert (second.kind, second.quantity, second.year) == ("health", 1, year)
    assert b.geom.buffer(0.0005).covers(second.location)  # at its center or inside
    bad = [[a.code, year, "法律", "甲", 1, pb.x, pb.y],  # placed in the other community
           ["510199999999", year, "法律", "乙", 1, "", ""],
           [a.code, year, "跳舞", "丙", 1, "", ""],
           [a.code, year, "法律", "丁", 0, "", ""],
           [a.code, year, "法律", "戊", 1, pa.x, ""]]
    refused = import_needs(_csv(tmp_path, header, bad))
    assert [(p.row, p.code) for p in refused.problems] == [
        (2, "outside_community"), (3, "unknown_community"), (4, "bad_choice"),
        (5, "out_of_range"), (6, "half_a_place")]
    assert not Need.objects.filter(title__in=["甲", "乙", "丙", "丁", "戊"]).exists()
    scoped = import_needs(_csv(tmp_path, header, good[:1]), scope=b.code)
    assert [p.code for p in scoped.problems] == ["outside_scope"]


def test_it_imports_resources_of_units_by_number_or_code(demo_db: None,
                                                         tmp_path: Path) -> None:
    u1, u2 = CoBuildingUnit.objects.filter(candidate=False).order_by("pk")[:2]
    u2.code = "91510100MA0000001X"
    u2.save()
    twin = CoBuildingUnit.objects.create(name=u1.name, unit_type=u1.unit_type,
                                         location=u1.location)  # a branch of the same name
    year = timezone.localdate().year
    # An XLSX with a printed title above the header, as offices send them.
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["2026年共建单位资源清单"])
    ws.append(["单位系统编号", "单位编号", "单位名称", "资源类别", "资源名称", "可提供数量",
               "起始日期", "截止日期"])
    ws.append([u1.pk, "", u1.name, "法律服务", "律师坐班", 4, dt.date(year, 3, 1),
               dt.date(year, 9, 30)])
    ws.append(["", u2.code, "", "志愿", "党员志愿服务队", "", "", ""])
    path = tmp_path / "resources.xlsx"
    book.save(path)
    result = import_resources(path)
    assert result.written and result.created == 2, result.problems
    lawyer = Resource.objects.get(title="律师坐班")
    assert (lawyer.unit_id, lawyer.kind, lawyer.capacity) == (u1.pk, "legal", 4)
    assert (lawyer.available_from, lawyer.available_until) == (dt.date(year, 3, 1),
                                                               dt.date(year, 9, 30))
    team = Resource.objects.get(title="党员志愿服务队", unit=u2)
    assert (team.capacity, team.available_from, team.available_until) == (
        1, dt.date(year, 1, 1), dt.date(year, 12, 31))

    header = ["单位系统编号", "单位名称", "类别", "资源", "起始日期", "截止日期"]
    bad = [[u1.pk, u2.name, "法律", "甲", "", ""],  # the number and the name disagree
           [999_999_999, "", "法律", "乙", "", ""],
           ["", "", "法律", "丙", "", ""],
           [u1.pk, "", "法律", "丁", f"{year}-12-01", f"{year}-01-01"]]
    refused = import_resources(_csv(tmp_path, header, bad))
    assert [(p.row, p.code) for p in refused.problems] == [
        (2, "unit_mismatch"), (3, "unknown_unit"), (4, "unknown_unit"), (5, "bad_dates")]
    with pytest.raises(MappingError):  # a unit by name alone could be either branch
        import_resources(_csv(tmp_path, ["单位名称", "类别", "资源"], [[twin.name, "法律", "x"]]))
    elsewhere = next(c for c in Community.objects.filter(code__startswith="510199")
                     if not c.code.startswith(unit_code(u1)[:9]))
    scoped = import_resources(_csv(tmp_path, header[:4], [[u1.pk, "", "法律", "x"]]),
                              scope=elsewhere.code[:9])
    assert [p.code for p in scoped.problems] == ["outside_scope"]
    assert not Resource.objects.filter(title__in=["甲", "乙", "丙", "丁", "x"]).exists()
