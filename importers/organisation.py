"""Import staffing of a year, leaders' 挂点 links and micro-wishes from CSV or XLSX: all
rows or none.

Staffing rows name a community (12-digit code: posts, social workers, funds) or a street
(9-digit code: party staff) and a year; a row for a pair already stored replaces its
figures. A funds column headed in 万元 (``工作经费（万元）``) is read as ten-thousands.

Leader rows name the leader by district, name and position together (many officials
share a name, never by name alone) and the community by code; a leader not yet stored is
created. A link already open for the pair is kept (its end date set when the row has
one); a closed link is history and is not reopened.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import (
    Community,
    CommunityStaffing,
    District,
    Leader,
    LeaderLink,
    Origin,
    Street,
    StreetStaffing,
    Wish,
)
from geo.models.audit import bulk_create, bulk_update
from geo.roles import covers

from .tabular import SheetImport, check_rows, read_sheet
from .values import ValueProblem


def in_scope(scope: str, code: str) -> None:
    """A row problem unless ``code`` lies inside the importing user's ``scope``."""
    if not covers(scope, code):
        raise ValueProblem("outside_scope", _("%(code)s 不在您的管理范围内") % {"code": code})


def import_staffing(path: Path, *, scope: str = "", dry_run: bool = False,
                    sheet_name: str | None = None, header_row: int | None = None,
                    source: str | None = None) -> SheetImport:
    """Check every row of ``path``; when all are good and not ``dry_run``, store them."""
    sheet = read_sheet(path, "staffing", ("code", "year"), sheet_name, header_row)
    per_wan = "funds" in sheet.used and "万" in sheet.used["funds"]
    communities = dict(Community.objects.values_list("code", "pk"))
    streets = dict(Street.objects.values_list("code", "pk"))
    this_year = timezone.localdate().year
    result = SheetImport()
    comm_rows: dict[tuple[int, int], dict[str, Any]] = {}
    street_rows: dict[tuple[int, int], int] = {}

    def check(v: dict[str, Any], _row: Any) -> None:
        code, year = str(v["code"]), int(v["year"])
        if year > this_year:
            raise ValueProblem("future_year", _("年度 %(year)s 还没有到") % {"year": year})
        in_scope(scope, code)
        if len(code) == 12:
            if code not in communities:
                raise ValueProblem("unknown_community", _("没有代码为 %(code)s 的社区")
                                   % {"code": code})
            missing = [t for t in ("posts", "social_workers", "funds") if v.get(t) is None]
            if missing:
                raise ValueProblem("missing_value", _(
                    "社区 %(code)s 须填写设岗数、专职社区工作者和工作经费（缺 %(missing)s）")
                    % {"code": code, "missing": _("、").join(
                        sheet.targets[t].header for t in missing)})
            key = (communities[code], year)
            result.repeated += key in comm_rows
            funds = Decimal(str(v["funds"])) * (10_000 if per_wan else 1)
            comm_rows[key] = {"posts": int(v["posts"]), "social_workers":
                              int(v["social_workers"]), "funds_yuan": funds.quantize(
                                  Decimal("0.01"))}
        elif len(code) == 9:
            if code not in streets:
                raise ValueProblem("unknown_street", _("没有代码为 %(code)s 的街道")
                                   % {"code": code})
            if v.get("party_staff") is None:
                raise ValueProblem("missing_value", _("街道 %(code)s 须填写党务工作人员")
                                   % {"code": code})
            key = (streets[code], year)
            result.repeated += key in street_rows
            street_rows[key] = int(v["party_staff"])
        else:
            raise ValueProblem("bad_code", _(
                "代码 %(code)s 应为 12 位社区代码或 9 位街道代码") % {"code": code})

    check_rows(sheet, result, check)
    if not result.problems:
        _store_staffing(result, comm_rows, street_rows, source or path.name, dry_run)
    return result


def _store_staffing(result: SheetImport, comm_rows: dict[tuple[int, int], dict[str, Any]],
                    street_rows: dict[tuple[int, int], int], source: str,
                    dry_run: bool) -> None:
    reason = _("导入 %(source)s") % {"source": source}
    now = timezone.now()
    with transaction.atomic():
        for model, fk, rows, fields in (
                (CommunityStaffing, "community_id", comm_rows,
                 ["posts", "social_workers", "funds_yuan"]),
                (StreetStaffing, "street_id", {k: {"party_staff": n}
                                               for k, n in street_rows.items()},
                 ["party_staff"])):
            stored = {(getattr(o, fk), o.year): o for o in model.objects.select_for_update()
                      .filter(**{f"{fk}__in": sorted({k[0] for k in rows})})}
            new, changed = [], []
            for key, values in rows.items():
                old = stored.get(key)
                if old is None:
                    new.append(model(**{fk: key[0]}, year=key[1], **values,
                                     origin=Origin.IMPORTED, source=source[:200]))
                elif any(getattr(old, f) != values[f] for f in fields):
                    for f in fields:
                        setattr(old, f, values[f])
                    old.version, old.updated_at = old.version + 1, now
                    changed.append(old)
                else:
                    result.unchanged += 1
            result.created += len(new)
            result.updated += len(changed)
            if not dry_run:
                bulk_create(model, new, batch_size=2000, reason=reason)
                bulk_update(model, changed, [*fields, "version", "updated_at"],
                            batch_size=2000, reason=reason)
        result.written = not dry_run


def import_leader_links(path: Path, *, scope: str = "", dry_run: bool = False,
                        sheet_name: str | None = None, header_row: int | None = None,
                        source: str | None = None) -> SheetImport:
    """Check every row of ``path``; when all are good and not ``dry_run``, store them."""
    sheet = read_sheet(path, "leader_links",
                       ("name", "position", "level", "district_code", "community_code",
                        "since"), sheet_name, header_row)
    comms = {c.code: c for c in Community.objects.select_related("street")}
    districts = dict(District.objects.values_list("code", "pk"))
    streets = dict(Street.objects.values_list("code", "pk"))
    today = timezone.localdate()
    result = SheetImport()
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def check(v: dict[str, Any], _row: Any) -> None:
        code, dcode = str(v["community_code"]), str(v["district_code"])
        comm = comms.get(code)
        if comm is None:
            raise ValueProblem("unknown_community", _("没有代码为 %(code)s 的社区")
                               % {"code": code})
        if dcode not in districts or not code.startswith(dcode):
            raise ValueProblem("outside_leader_area", _(
                "社区 %(code)s 不在区县 %(district)s 内") % {"code": code, "district": dcode})
        scode = str(v.get("street_code") or "")
        if v["level"] == "street":
            if scode not in streets or not code.startswith(scode):
                raise ValueProblem("outside_leader_area", _(
                    "街道领导须填写街道代码，且社区 %(code)s 须在该街道内") % {"code": code})
        else:
            scode = ""
        in_scope(scope, code)
        since, until = v["since"], v.get("until")
        if since > today or (until is not None and until < since):
            raise ValueProblem("bad_dates", _(
                "开始日期 %(since)s 须不晚于今天，结束日期不能早于开始日期") % {
                    "since": since.isoformat()})
        key = (dcode, str(v["name"]), str(v["position"]), code)
        result.repeated += key in rows
        rows[key] = {"level": v["level"], "street": scode, "since": since, "until": until,
                     "note": str(v.get("note") or "")}

    check_rows(sheet, result, check)
    if not result.problems:
        _store_links(result, rows, comms, districts, streets, source or path.name, dry_run)
    return result


def _store_links(result: SheetImport, rows: dict[tuple[str, str, str, str], dict[str, Any]],
                 comms: dict[str, Community], districts: dict[str, int],
                 streets: dict[str, int], source: str, dry_run: bool) -> None:
    common = {"origin": Origin.IMPORTED, "source": source[:200]}
    reason = _("导入 %(source)s") % {"source": source}
    with transaction.atomic():
        leaders = {(lead.district.code, lead.name, lead.position): lead for lead in
                   Leader.objects.select_for_update().select_related("district")}
        made: list[Leader] = []
        for (dcode, name, position, _code), v in rows.items():
            if (dcode, name, position) not in leaders:
                lead = Leader(name=name, position=position, level=v["level"],
                              district_id=districts[dcode],
                              street_id=streets.get(v["street"]), **common)
                leaders[(dcode, name, position)] = lead
                made.append(lead)
        if not dry_run:
            bulk_create(Leader, made, reason=reason)
        result.extra["leaders_created"] = len(made)
        open_links = {(link.leader_id, link.community_id): link for link in
                      LeaderLink.objects.select_for_update().filter(until__isnull=True)}
        new, changed = [], []
        for (dcode, name, position, code), v in rows.items():
            lead = leaders[(dcode, name, position)]
            old = open_links.get((lead.pk, comms[code].pk)) if lead.pk else None
            if old is None:
                new.append(LeaderLink(leader=lead, community=comms[code], since=v["since"],
                                      until=v["until"], note=v["note"], **common))
            elif v["until"] is not None and v["until"] >= old.since:
                old.until, old.version = v["until"], old.version + 1
                changed.append(old)
            else:
                result.unchanged += 1
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            return
        bulk_create(LeaderLink, new, reason=reason)
        bulk_update(LeaderLink, changed, ["until", "version"], reason=reason)
        result.written = True



def import_wishes(path: Path, *, scope: str = "", dry_run: bool = False,
                  sheet_name: str | None = None, header_row: int | None = None,
                  source: str | None = None) -> SheetImport:
    """Micro-wishes a community collected on paper: each placed inside its community (WGS84
    longitude and latitude), posted on the given day or today. Every row is a new wish."""
    from django.contrib.gis.geos import Point

    sheet = read_sheet(path, "wishes", ("community_code", "category", "text", "person",
                                        "lon", "lat"), sheet_name, header_row)
    comms = {c.code: c for c in Community.objects.all()}
    today = timezone.localdate()
    result = SheetImport()
    rows: list[Wish] = []

    def check(v: dict[str, Any], _row: Any) -> None:
        code = str(v["community_code"])
        comm = comms.get(code)
        if comm is None:
            raise ValueProblem("unknown_community", _("没有代码为 %(code)s 的社区")
                               % {"code": code})
        in_scope(scope, code)
        at = Point(float(v["lon"]), float(v["lat"]), srid=4326)
        if not comm.geom.buffer(0.0005).covers(at):
            raise ValueProblem("outside_community", _("心愿的位置不在%(name)s内")
                               % {"name": comm.name})
        posted = v.get("posted_on") or today
        if posted > today:
            raise ValueProblem("bad_dates", _("发布日期不能晚于今天"))
        rows.append(Wish(community=comm, category=v["category"], text=str(v["text"]),
                         person=str(v["person"]), location=at, posted_on=posted,
                         origin=Origin.IMPORTED, source=(source or path.name)[:200]))

    check_rows(sheet, result, check)
    if result.problems:
        return result
    result.created = len(rows)
    if not dry_run:
        with transaction.atomic():
            bulk_create(Wish, rows, reason=_("导入 %(source)s") % {"source": source or path.name})
        result.written = True
    return result
