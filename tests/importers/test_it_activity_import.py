"""import_activities: members' 五个一 from CSV and XLSX, all rows or none, never by name alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from geo.models import Account, MemberActivity, ReportingMember
from geo.roles import Role
from importers.activities import import_activities
from importers.fields import MappingError
from importers.sources import FileRejected

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Three years back: the demo records only this year and last, so no demo row shares the day.
DAY = dt.date(TODAY.year - 3, 6, 15).isoformat()


def _members() -> list[ReportingMember]:
    """Demo members who reported in the generated district, with whole contact data."""
    return list(ReportingMember.objects.filter(reported_community__code__startswith="510199")
                .exclude(id_number="").exclude(phone="").order_by("pk")[:4])


def _csv(tmp_path: Path, rows: list[list[object]], name: str = "acts.csv",
         header: tuple[str, ...] = ("党员编号", "身份证号", "姓名", "电话", "活动类型", "日期",
                                    "说明")) -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _imported() -> Any:
    """The rows imports made (the demo's own records are generated)."""
    return MemberActivity.objects.filter(origin="imported")


def test_it_finds_members_by_number_id_number_or_name_and_phone(demo_db: None,
                                                               tmp_path: Path) -> None:
    a, b, c, _d = _members()
    path = _csv(tmp_path, [
        [a.pk, "", "", "", "参加社区党组织活动", DAY, "主题党日"],
        ["", b.id_number, "", "", "谈心", DAY, ""],
        ["", "", c.name, c.phone, "volunteer", DAY.replace("-", "/"), "清扫楼道"],
    ])
    result = import_activities(path)
    assert result.problems == [] and result.written
    assert (result.rows, result.created, result.extra["members"]) == (3, 3, 3)
    got = {(x.member_id, x.kind, x.on.isoformat(), x.note, x.origin, x.source)
           for x in _imported()}
    assert got == {(a.pk, "meeting", DAY, "主题党日", "imported", "acts.csv"),
                   (b.pk, "talk", DAY, "", "imported", "acts.csv"),
                   (c.pk, "volunteer", DAY, "清扫楼道", "imported", "acts.csv")}
    # Each counts where its member reports, and the history says an import made it.
    assert all(x.community_id == x.member.reported_community_id
               for x in _imported().select_related("member"))
    assert MemberActivity.history.filter(history_type="+",
                                         history_change_reason__contains="acts.csv").count() == 3


def test_it_writes_nothing_when_one_row_is_wrong(demo_db: None, tmp_path: Path) -> None:
    a, b, c, d = _members()
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    path = _csv(tmp_path, [
        [a.pk, "", "", "", "meeting", DAY, ""],  # good
        ["", "", a.name, "", "meeting", DAY, ""],  # name alone: never matched
        ["", "", "张*", "138****1234", "meeting", DAY, ""],  # masked: names nobody
        [b.pk, "", "", "", "会餐", DAY, ""],  # not a duty
        [c.pk, "", "", "", "survey", future, ""],  # tomorrow
        [999_999_999, "", "", "", "survey", DAY, ""],  # no such member
        [d.pk, "", "", "", "wish", "2024-02-30", ""],  # no such day
    ])
    result = import_activities(path)
    assert not result.written and _imported().count() == 0
    codes = {(p.row, p.code) for p in result.problems}
    assert codes == {(3, "member_not_named"), (4, "masked_value"), (5, "bad_choice"),
                     (6, "date_out_of_range"), (7, "unknown_member"), (8, "not_a_date")}
    assert next(p for p in result.problems if p.row == 6).message.count(TODAY.isoformat()) == 1


def test_it_refuses_a_name_and_phone_shared_by_two_members(demo_db: None,
                                                          tmp_path: Path) -> None:
    a, b, *_ = _members()
    ReportingMember.objects.filter(pk=b.pk).update(name=a.name, phone=a.phone)
    result = import_activities(_csv(tmp_path, [["", "", a.name, a.phone, "talk", DAY, ""]]))
    assert [p.code for p in result.problems] == ["ambiguous_member"]
    assert _imported().count() == 0


def test_it_counts_one_activity_per_member_duty_and_day(demo_db: None, tmp_path: Path) -> None:
    a, *_ = _members()
    rows: list[list[object]] = [[a.pk, "", "", "", "meeting", DAY, ""],
                                [a.pk, "", "", "", "会议", DAY, "第二遍"]]
    first = import_activities(_csv(tmp_path, rows))
    assert (first.created, first.repeated) == (1, 1)
    assert _imported().get().note == "第二遍"
    again = import_activities(_csv(tmp_path, rows[:1], "again.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    noted = import_activities(_csv(tmp_path, [[a.pk, "", "", "", "meeting", DAY, "改了"]],
                                   "noted.csv"))
    assert (noted.created, noted.updated) == (0, 1)
    act = _imported().get()
    assert act.note == "改了" and act.version == 2


def test_it_checks_without_writing_on_a_dry_run(demo_db: None, tmp_path: Path) -> None:
    a, *_ = _members()
    result = import_activities(_csv(tmp_path, [[a.pk, "", "", "", "wish", DAY, ""]]),
                               dry_run=True)
    assert result.created == 1 and not result.written and _imported().count() == 0


def test_it_keeps_rows_outside_the_importers_scope_out(demo_db: None, tmp_path: Path) -> None:
    a, *_ = _members()
    assert a.reported_community is not None
    other = "510199" + ("002" if a.reported_community.code[6:9] != "002" else "001")
    result = import_activities(_csv(tmp_path, [[a.pk, "", "", "", "survey", DAY, ""]]),
                               scope=other)
    assert [p.code for p in result.problems] == ["outside_scope"]
    assert import_activities(_csv(tmp_path, [[a.pk, "", "", "", "survey", DAY, ""]]),
                             scope=a.reported_community.code).written


def test_it_reads_a_printed_xlsx_with_a_title_row(demo_db: None, tmp_path: Path) -> None:
    a, b, *_ = _members()
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年在职党员“五个一”登记表"])
    ws.append(["序号", "党员编号", "活动类型", "活动日期", "备注"])
    ws.append([1, a.pk, "微心愿", dt.date(TODAY.year - 3, 5, 1), "帮买药"])
    ws.append([2, b.pk, "调研", f"{TODAY.year - 3}年1月2日", ""])
    path = tmp_path / "sheet.xlsx"
    wb.save(path)
    result = import_activities(path)
    assert result.written and result.created == 2
    assert {(x.member_id, x.kind) for x in _imported()} == {
        (a.pk, "wish"), (b.pk, "survey")}


def test_it_names_a_missing_column_and_refuses_other_files(demo_db: None,
                                                          tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="活动类型"):
        import_activities(_csv(tmp_path, [[1, DAY]], header=("党员编号", "日期")))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileRejected):
        import_activities(empty)


def test_it_runs_as_a_command_and_refuses_a_role_that_may_not_record(demo_db: None,
                                                                     tmp_path: Path) -> None:
    a, *_ = _members()
    path = _csv(tmp_path, [[a.pk, "", "", "", "talk", DAY, ""]])
    viewer = User.objects.create_user("duty-viewer")
    Account.assign(viewer, Role.VIEWER, "510199")
    with pytest.raises(CommandError, match="add_memberactivity"):
        call_command("import_sheet", "activities", str(path), "--as", "duty-viewer",
                     stdout=io.StringIO(), stderr=io.StringIO())
    staff = User.objects.create_user("duty-staff")
    assert a.reported_community is not None
    Account.assign(staff, Role.STAFF, a.reported_community.code)
    out = io.StringIO()
    call_command("import_sheet", "activities", str(path), "--as", "duty-staff", "--json",
                 stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["created"] == 1
    assert MemberActivity.history.filter(history_change_reason__contains=path.name
                                         ).get().history_user == staff
    bad = _csv(tmp_path, [[a.pk, "", "", "", "talk", "yesterday", ""]], "bad.csv")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1"):
        call_command("import_sheet", "activities", str(bad), stdout=io.StringIO(), stderr=err)
    assert "Row 2 [not_a_date]" in err.getvalue()  # importer tests read English
