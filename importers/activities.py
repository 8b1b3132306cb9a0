"""Import members' "五个一" activities from a CSV or XLSX sheet: all rows or none.

A row names its member by the member number (``党员编号``, from the member list export),
the ID number, or name plus phone; never by name alone, since many members share one.
A masked value (``张*``, ``138****5678``) names nobody. Rows are checked first; any problem
and nothing is written. The same member, duty and day again is one activity (its note
is updated), in the file and against what is stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import MemberActivity, Origin, ReportingMember
from geo.models.audit import bulk_create, bulk_update
from geo.models.duties import EARLIEST
from geo.roles import covers

from .tabular import SheetImport, check_rows, read_sheet
from .values import ValueProblem, as_text

KIND = "activities"


class ActivityImport(SheetImport):
    """An import of activities; ``extra["members"]`` counts the members named."""


class _Members:
    """Members a row may name, found by number, ID number and name plus phone."""

    def __init__(self) -> None:
        rows = ReportingMember.objects.values_list(
            "pk", "name", "phone", "id_number", "reported_community_id",
            "reported_community__code")
        self.by_pk: dict[int, tuple[Any, ...]] = {}
        self.by_id: dict[str, list[int]] = {}
        self.by_name_phone: dict[tuple[str, str], list[int]] = {}
        for r in rows:
            self.by_pk[r[0]] = r
            if r[3]:
                self.by_id.setdefault(r[3].upper(), []).append(r[0])
            if r[2]:
                self.by_name_phone.setdefault((r[1], _digits(r[2])), []).append(r[0])

    def find(self, values: dict[str, Any]) -> int:
        """The member's key, or raise ValueProblem saying why the row names nobody."""
        if values.get("member_id") is not None:  # the member list's masked names are fine
            pk = int(values["member_id"])
            if pk not in self.by_pk:
                raise ValueProblem("unknown_member", _("没有编号为 %(id)s 的报到党员")
                                   % {"id": pk})
            return pk
        for key in ("name", "phone", "id_number"):
            if values.get(key) and "*" in str(values[key]):
                raise ValueProblem("masked_value", _(
                    "%(value)s 是打码后的值，不能据此找到党员；请填写党员编号（名单导出的"
                    "“编号”列），或完整的身份证号、姓名加电话") % {"value": values[key]})
        if values.get("id_number"):
            found = self.by_id.get(str(values["id_number"]).upper(), [])
            if len(found) == 1:
                return found[0]
            if not found:
                raise ValueProblem("unknown_member", _("没有身份证号为 %(id)s 的报到党员")
                                   % {"id": values["id_number"]})
        if values.get("name") and values.get("phone"):
            found = self.by_name_phone.get((values["name"], _digits(values["phone"])), [])
            if len(found) == 1:
                return found[0]
            if not found:
                raise ValueProblem("unknown_member", _(
                    "没有姓名为 %(name)s、电话为 %(phone)s 的报到党员") % values)
            raise ValueProblem("ambiguous_member", _(
                "姓名 %(name)s、电话 %(phone)s 对应 %(n)s 名党员；请填写党员编号或身份证号")
                % {**values, "n": len(found)})
        raise ValueProblem("member_not_named", _(
            "这一行没有指明党员：请填写党员编号、身份证号，或姓名加电话（同名的党员很多，"
            "不按姓名单独匹配）"))


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def import_activities(path: Path, *, scope: str = "", dry_run: bool = False,
                      sheet_name: str | None = None, header_row: int | None = None,
                      source: str | None = None) -> ActivityImport:
    """Check every row of ``path`` and, when all are good and not ``dry_run``, store them.

    ``scope`` is the importer's write scope: a member reporting outside it is a problem
    row. Raises FileRejected or MappingError when the file as a whole cannot be read.
    """
    sheet = read_sheet(path, KIND, ("kind", "on"), sheet_name, header_row)
    result = ActivityImport()
    members = _Members()
    today = timezone.localdate()
    wanted: dict[tuple[int, str, dt.date], str] = {}

    def check(values: dict[str, Any], _row: Any) -> None:
        pk = members.find(values)
        if not EARLIEST <= values["on"] <= today:
            raise ValueProblem("date_out_of_range", _(
                "日期 %(on)s 须在 %(first)s 与今天（%(today)s）之间") % {
                    "on": values["on"].isoformat(), "first": EARLIEST.isoformat(),
                    "today": today.isoformat()})
        code = members.by_pk[pk][5]
        if code is None:
            raise ValueProblem("member_not_reported", _(
                "党员 %(id)s 还没有报到社区，活动无处计入；请先登记报到社区") % {"id": pk})
        if not covers(scope, code):
            raise ValueProblem("outside_scope", _(
                "党员 %(id)s 报到的社区 %(code)s 不在您的管理范围内")
                % {"id": pk, "code": code})
        key = (pk, str(values["kind"]), values["on"])
        if key in wanted:
            result.repeated += 1
        wanted[key] = as_text(values.get("note") or "") or wanted.get(key, "")

    check_rows(sheet, result, check)
    result.extra["members"] = len({k[0] for k in wanted})
    if result.problems:
        return result
    _store(result, wanted, members, source or path.name, dry_run)
    return result


def _store(result: ActivityImport, wanted: dict[tuple[int, str, dt.date], str],
           members: _Members, source: str, dry_run: bool) -> None:
    with transaction.atomic():
        # Lock the members named: a clerk entering one of these activities by hand now
        # waits, and the unique constraint never turns the import into an error.
        pks = sorted({k[0] for k in wanted})
        list(ReportingMember.objects.select_for_update().filter(pk__in=pks).values_list("pk"))
        stored = {(a.member_id, a.kind, a.on): a
                  for a in MemberActivity.objects.filter(member_id__in=pks)}
        new, changed = [], []
        now = timezone.now()
        for (pk, kind, on), note in wanted.items():
            old = stored.get((pk, kind, on))
            if old is None:
                new.append(MemberActivity(member_id=pk, kind=kind, on=on, note=note,
                                          origin=Origin.IMPORTED, source=source[:200],
                                          community_id=members.by_pk[pk][4]))
            elif note and note != old.note:
                old.note, old.version, old.updated_at = note, old.version + 1, now
                changed.append(old)
            else:
                result.unchanged += 1
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            return
        reason = _("导入 %(source)s") % {"source": source}
        bulk_create(MemberActivity, new, batch_size=2000, reason=reason)
        bulk_update(MemberActivity, changed, ["note", "version", "updated_at"], batch_size=2000,
                    reason=reason)
        result.written = True
