"""import_sheet staffing / leaders: figures of a year by community or street code, leaders'
links by district, name and position; all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from geo.models import Community, CommunityStaffing, Leader, LeaderLink, Street, StreetStaffing
from importers.organisation import import_leader_links, import_staffing

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 3  # the demo writes this year and last only


def _csv(tmp_path: Path, header: list[str], rows: list[list[object]],
         name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _two() -> tuple[Community, Community]:
    a, b = Community.objects.filter(code__startswith="510199").order_by("code")[:2]
    return a, b


def test_it_stores_community_and_street_figures_of_a_year(demo_db: None,
                                                         tmp_path: Path) -> None:
    a, b = _two()
    street = Street.objects.get(code=a.code[:9])
    header = ["代码", "年度", "设岗数", "专职社工", "工作经费（万元）", "党务工作人员"]
    path = _csv(tmp_path, header, [
        [a.code, YEAR, 10, 7, 5.5, ""], [b.code, YEAR, 9, 6, "12", ""],
        [street.code, YEAR, "", "", "", 5]])
    result = import_staffing(path)
    assert result.problems == [] and result.written and result.created == 3
    row = CommunityStaffing.objects.get(community=a, year=YEAR)
    assert (row.posts, row.social_workers, row.funds_yuan) == (10, 7, Decimal("55000.00"))
    assert CommunityStaffing.objects.get(community=b, year=YEAR).funds_yuan == 120_000
    assert StreetStaffing.objects.get(street=street, year=YEAR).party_staff == 5
    # Again with a change: that row is updated (version 2), the others untouched.
    again = _csv(tmp_path, ["社区代码", "年度", "设岗数", "专职社区工作者", "工作经费"],
                 [[a.code, YEAR, 11, 7, 55_000], [b.code, YEAR, 9, 6, 120_000]], "again.csv")
    second = import_staffing(again)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    row.refresh_from_db()
    assert row.posts == 11 and row.version == 2


def test_it_writes_nothing_when_a_row_is_wrong(demo_db: None, tmp_path: Path) -> None:
    a, b = _two()
    future = timezone.localdate().year + 1
    path = _csv(tmp_path, ["代码", "年度", "设岗数", "专职社工", "工作经费", "党务工作人员"], [
        [a.code, YEAR, 10, 7, 50_000, ""],  # good
        [b.code, YEAR, 10, "", 50_000, ""],  # a missing figure
        ["510199999999", YEAR, 10, 7, 50_000, ""],  # no such community
        [a.code[:9], YEAR, "", "", "", ""],  # a street without party staff
        ["5101", YEAR, 1, 1, 1, 1],  # not a community or street code
        [a.code, future, 10, 7, 50_000, ""],  # next year
        [a.code, YEAR, -1, 7, 50_000, ""],  # negative
    ])
    result = import_staffing(path)
    assert {(p.row, p.code) for p in result.problems} == {
        (3, "missing_value"), (4, "unknown_community"), (5, "missing_value"),
        (6, "bad_code"), (7, "future_year"), (8, "out_of_range")}
    assert not result.written
    assert not CommunityStaffing.objects.filter(year=YEAR).exists()


def test_it_keeps_figures_outside_the_scope_out(demo_db: None, tmp_path: Path) -> None:
    a, _b = _two()
    other = Community.objects.filter(code__startswith="510199").exclude(
        code__startswith=a.code[:9]).first()
    assert other is not None
    path = _csv(tmp_path, ["代码", "年度", "设岗数", "专职社工", "工作经费"],
                [[other.code, YEAR, 10, 7, 50_000]])
    result = import_staffing(path, scope=a.code[:9])
    assert [p.code for p in result.problems] == ["outside_scope"]


LINK_HEADER = ["领导姓名", "职务", "层级", "区县代码", "街道代码", "社区代码", "开始日期",
               "结束日期"]


def test_it_links_leaders_by_district_name_and_position(demo_db: None,
                                                      tmp_path: Path) -> None:
    a, b = _two()
    since = dt.date(YEAR, 3, 1).isoformat()
    path = _csv(tmp_path, LINK_HEADER, [
        ["王建国", "街道党工委书记", "街道", "510199", a.code[:9], a.code, since, ""],
        ["王建国", "街道党工委书记", "街道", "510199", a.code[:9], b.code, since, ""],
        # The same name in another post is another leader.
        ["王建国", "副区长", "区级", "510199", "", a.code, since, ""],
    ])
    result = import_leader_links(path)
    assert result.problems == [] and result.written
    assert result.extra["leaders_created"] == 2 and result.created == 3
    leaders = Leader.objects.filter(name="王建国").order_by("level")
    assert [(x.level, x.street_id is None) for x in leaders] == [("district", True),
                                                                 ("street", False)]
    # A row with an end date ends the open link: it stays as history.
    until = dt.date(YEAR, 9, 30).isoformat()
    end = _csv(tmp_path, LINK_HEADER, [
        ["王建国", "副区长", "区级", "510199", "", a.code, since, until]], "end.csv")
    ended = import_leader_links(end)
    assert (ended.created, ended.updated) == (0, 1)
    link = LeaderLink.objects.get(leader__position="副区长", community=a)
    assert link.until == dt.date(YEAR, 9, 30) and link.version == 2
    assert LeaderLink.history.filter(id=link.pk).count() == 2


def test_it_refuses_links_outside_the_leaders_area(demo_db: None, tmp_path: Path) -> None:
    a, _b = _two()
    other = Community.objects.filter(code__startswith="510199").exclude(
        code__startswith=a.code[:9]).first()
    assert other is not None
    since = dt.date(YEAR, 3, 1).isoformat()
    path = _csv(tmp_path, LINK_HEADER, [
        ["李四", "街道办事处主任", "街道", "510199", a.code[:9], other.code, since, ""],
        ["李四", "街道办事处主任", "街道", "510199", "", a.code, since, ""],
        ["张三", "副区长", "区级", "510198", "", a.code, since, ""],
        ["张三", "副区长", "市级", "510199", "", a.code, since, ""],
        ["张三", "副区长", "区级", "510199", "", a.code, since, "2000-01-01"],
    ])
    result = import_leader_links(path)
    assert [(p.row, p.code) for p in result.problems] == [
        (2, "outside_leader_area"), (3, "outside_leader_area"), (4, "outside_leader_area"),
        (5, "bad_choice"), (6, "bad_dates")]
    assert not Leader.objects.filter(name__in=["李四", "张三"]).exists()


def test_it_runs_as_a_command(demo_db: None, tmp_path: Path) -> None:
    a, _b = _two()
    path = _csv(tmp_path, ["代码", "年度", "设岗数", "专职社工", "工作经费"],
                [[a.code, YEAR, 10, 7, 50_000]])
    out = io.StringIO()
    call_command("import_sheet", "staffing", str(path), "--dry-run", stdout=out)
    assert "1" in out.getvalue() and not CommunityStaffing.objects.filter(year=YEAR).exists()
    with pytest.raises(CommandError):
        call_command("import_sheet", "parade", str(path), stdout=io.StringIO())
