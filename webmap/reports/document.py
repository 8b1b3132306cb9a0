"""The coverage report as data: what every format renders, and the columns it shows.

:func:`reports.gather.gather` fills a :class:`ReportDocument` from the database; the
renderers (``xlsx``, ``pdf``, ``html``, ``jsonout``) only lay it out, so the four formats
cannot disagree. Labels are translated lazily: a report is written in the language active
while it is rendered (the request's, or the command's ``--language``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from geo.analysis.coverage import reach_column
from geo.services.results import UncoveredCompound
from geo.services.text import chinese

STATUS_LABELS = {"meets": gettext_lazy("达标"), "short": gettext_lazy("不达标"),
                 "no_center": gettext_lazy("无中心")}
KIND_LABELS = {
    "no_center": gettext_lazy("无服务中心"), "shortfall": gettext_lazy("面积缺口"),
    "uncovered_compound": gettext_lazy("小区未覆盖"), "no_pairing": gettext_lazy("无结对单位"),
    "pairing_over_cap": gettext_lazy("结对超上限"),
    "members_over_cap": gettext_lazy("报到党员超上限"), "grid_errors": gettext_lazy("网格问题"),
}
PAIRING_STATUS_LABELS = {"proposed": gettext_lazy("建议"), "confirmed": gettext_lazy("已确认"),
                         "signed": gettext_lazy("已签约")}


@dataclass(frozen=True)
class Column:
    """One table column: the data key, its header and how to show the value.

    ``kind`` is one of text, int, area (m², 1 decimal), ratio (1 decimal), share (0–1,
    shown as a percentage), metres (whole metres) or score (1 decimal).
    """

    key: str
    label: StrOrPromise
    kind: str = "text"


def reach_columns(reaches: Sequence[float]) -> list[Column]:
    """One column per walking reach: the share of households within it."""
    return [Column(reach_column(r), _("%(m)s米内户数占比") % {"m": int(r)}, "share")
            for r in reaches]


def community_columns(reaches: Sequence[float]) -> list[Column]:
    return [
        Column("code", _("社区代码")),
        Column("name", _("社区名称")),
        Column("street_name", _("街道")),
        Column("households", _("户数"), "int"),
        Column("population", _("人口"), "int"),
        Column("centers", _("服务中心数"), "int"),
        Column("floor_area_m2", _("中心面积(m²)"), "area"),
        Column("m2_per_100_households", _("每百户面积(m²)"), "ratio"),
        Column("status_label", _("达标情况")),
        Column("shortfall_m2", _("面积缺口(m²)"), "area"),
        *reach_columns(reaches),
        Column("worst_compound", _("覆盖最差小区")),
        Column("worst_compound_m", _("其步行距离(m)"), "metres"),
        Column("grids", _("网格数"), "int"),
        Column("grid_hh_min", _("网格户数最少"), "int"),
        Column("grid_hh_max", _("网格户数最多"), "int"),
        Column("units", _("共建单位数"), "int"),
        Column("paired_units", _("结对单位及距离")),
        Column("members", _("报到党员"), "int"),
        Column("score", _("综合评分"), "score"),
    ]


def rollup_columns(reaches: Sequence[float], level: str) -> list[Column]:
    """Columns of the street (``level`` "street") or district summary table."""
    street = level == "street"
    return [
        Column("code", _("街道代码") if street else _("区县代码")),
        Column("name", _("街道") if street else _("区县")),
        Column("communities", _("社区数"), "int"),
        Column("households", _("户数"), "int"),
        Column("population", _("人口"), "int"),
        Column("centers", _("服务中心数"), "int"),
        Column("floor_area_m2", _("中心面积(m²)"), "area"),
        Column("m2_per_100_households", _("每百户面积(m²)"), "ratio"),
        Column("meeting_share", _("达标社区占比"), "share"),
        Column("without_center", _("无中心社区"), "int"),
        Column("shortfall_m2", _("面积缺口合计(m²)"), "area"),
        *reach_columns(reaches),
        Column("worst_compound_m", _("最远小区步行距离(m)"), "metres"),
        Column("grids", _("网格数"), "int"),
        Column("grid_hh_min", _("网格户数最少"), "int"),
        Column("grid_hh_max", _("网格户数最多"), "int"),
        Column("units", _("结对单位数"), "int"),
        Column("no_units", _("无结对社区"), "int"),
        Column("over_pairing_cap", _("结对超上限社区"), "int"),
        Column("members", _("报到党员"), "int"),
        Column("over_member_cap", _("党员超上限社区"), "int"),
    ]


FINDING_COLUMNS = [
    Column("rank", gettext_lazy("序号"), "int"),
    Column("kind_label", gettext_lazy("问题类型")),
    Column("community_code", gettext_lazy("社区代码")),
    Column("subject", gettext_lazy("对象")),
    Column("households_affected", gettext_lazy("影响户数"), "int"),
    Column("priority", gettext_lazy("优先度"), "int"),
    Column("message", gettext_lazy("说明")),
]

RECTIFICATION_COLUMNS = [
    Column("rank", gettext_lazy("排名"), "int"),
    Column("code", gettext_lazy("社区代码")),
    Column("name", gettext_lazy("社区名称")),
    Column("street_name", gettext_lazy("街道")),
    Column("total", gettext_lazy("星级总分"), "score"),
    Column("stars", gettext_lazy("星数"), "int"),
    Column("colour_label", gettext_lazy("星级")),
    Column("reasons", gettext_lazy("原因（未得星）")),
    Column("leaders", gettext_lazy("挂点领导")),
]


WISH_COLUMNS = [
    Column("code", gettext_lazy("社区代码")),
    Column("name", gettext_lazy("社区")),
    Column("posted", gettext_lazy("发布"), "int"),
    Column("open", gettext_lazy("待认领"), "int"),
    Column("claimed", gettext_lazy("已认领"), "int"),
    Column("fulfilled", gettext_lazy("已实现"), "int"),
    Column("cancelled", gettext_lazy("已撤销"), "int"),
    Column("fulfilled_share", gettext_lazy("实现率"), "share"),
]


LIST_COLUMNS = [
    Column("code", gettext_lazy("社区代码")),
    Column("name", gettext_lazy("社区")),
    Column("needs", gettext_lazy("需求项数"), "int"),
    Column("wanted", gettext_lazy("需求数量"), "int"),
    Column("agreed", gettext_lazy("已立项满足"), "int"),
    Column("done", gettext_lazy("已完成"), "int"),
    Column("needs_covered", gettext_lazy("全部满足的需求"), "int"),
    Column("projects", gettext_lazy("项目数"), "int"),
    Column("proposed", gettext_lazy("待审核建议"), "int"),
    Column("covered_share", gettext_lazy("满足率"), "share"),
]


SIGN_COLUMNS = [
    Column("name", gettext_lazy("服务中心")),
    Column("served", gettext_lazy("步行范围内服务户数"), "int"),
    Column("guided", gettext_lazy("指引牌引导户数"), "int"),
    Column("planned", gettext_lazy("新建议"), "int"),
    Column("proposed", gettext_lazy("待批准"), "int"),
    Column("approved", gettext_lazy("已批准"), "int"),
    Column("installed", gettext_lazy("已安装"), "int"),
]


def star_columns(titles: Mapping[str, str]) -> list[Column]:
    """Each community's star rating: the total, stars, colour and every star's points."""
    return [Column("code", gettext_lazy("社区代码")), Column("name", gettext_lazy("社区")),
            Column("total", gettext_lazy("星级总分"), "score"),
            Column("stars", gettext_lazy("星数"), "int"),
            Column("colour_label", gettext_lazy("星级")),
            *(Column(f"star_{k}", t, "score") for k, t in titles.items())]

PAIRING_COLUMNS = [
    Column("community_code", gettext_lazy("社区代码")),
    Column("community", gettext_lazy("社区")),
    Column("unit", gettext_lazy("共建单位")),
    Column("unit_type_label", gettext_lazy("单位类型")),
    Column("distance_m", gettext_lazy("距离(m)"), "metres"),
    Column("status_label", gettext_lazy("状态")),
]

EVENT_COLUMNS = [
    Column("community_code", gettext_lazy("社区代码")),
    Column("community", gettext_lazy("社区")),
    Column("events", gettext_lazy("事件数"), "int"),
    Column("open", gettext_lazy("未结案"), "int"),
    Column("overdue", gettext_lazy("超期"), "int"),
    Column("handled", gettext_lazy("已处置"), "int"),
    Column("handled_on_time", gettext_lazy("按时处置率"), "share"),
    Column("hot_grid", gettext_lazy("事件最多的网格")),
    Column("hot_grid_events", gettext_lazy("该网格事件数"), "int"),
]

STAFFING_LABELS = {"ok": gettext_lazy("达标"), "short": gettext_lazy("有缺口"),
                   "none": gettext_lazy("未填报")}

STAFFING_COLUMNS = [
    Column("code", gettext_lazy("社区代码")),
    Column("name", gettext_lazy("社区")),
    Column("households", gettext_lazy("户数"), "int"),
    Column("posts", gettext_lazy("设岗数"), "int"),
    Column("social_workers", gettext_lazy("专职社区工作者"), "int"),
    Column("funds_yuan", gettext_lazy("工作经费(元)"), "int"),
    Column("funds_required_yuan", gettext_lazy("应有经费(元)"), "int"),
    Column("posts_short", gettext_lazy("缺岗"), "int"),
    Column("workers_short", gettext_lazy("缺社工"), "int"),
    Column("workers_over", gettext_lazy("社工超编"), "int"),
    Column("funds_short_yuan", gettext_lazy("经费缺口(元)"), "int"),
    Column("centers_below_level", gettext_lazy("面积不足的中心"), "int"),
    Column("ok_label", gettext_lazy("情况")),
    Column("leaders", gettext_lazy("挂点领导")),
]

STREET_STAFFING_COLUMNS = [
    Column("code", gettext_lazy("街道代码")),
    Column("name", gettext_lazy("街道")),
    Column("party_staff", gettext_lazy("党务工作人员"), "int"),
    Column("party_staff_short", gettext_lazy("缺党务人员"), "int"),
    Column("communities_reported", gettext_lazy("已填报社区"), "int"),
    Column("communities_ok", gettext_lazy("达标社区"), "int"),
    Column("funds_short_yuan", gettext_lazy("社区经费缺口(元)"), "int"),
]


def duty_columns(duties: list[dict[str, Any]]) -> list[Column]:
    """Members' "五个一" per community: the counts, then who lacks each duty."""
    return [
        Column("code", gettext_lazy("社区代码")),
        Column("name", gettext_lazy("社区")),
        Column("members", gettext_lazy("报到党员"), "int"),
        Column("complete", gettext_lazy("全部完成"), "int"),
        Column("share", gettext_lazy("完成率"), "share"),
        Column("behind", gettext_lazy("未完成"), "int"),
        *(Column(f"lacking_{d['kind']}", _("缺：%(duty)s") % {"duty": d["label"]}, "int")
          for d in duties),
    ]


UNCOVERED_COLUMNS = [
    Column("name", gettext_lazy("小区")),
    Column("community_code", gettext_lazy("社区代码")),
    Column("community", gettext_lazy("社区")),
    Column("households", gettext_lazy("户数"), "int"),
    Column("distance_m", gettext_lazy("步行最近中心(m)"), "metres"),
]


@dataclass
class MapLayers:
    """Everything the maps draw, in EPSG:4326."""

    scope: gpd.GeoDataFrame  # the scope's outline
    communities: gpd.GeoDataFrame  # code, name, m2_per_100_households, status
    reach_areas: gpd.GeoDataFrame  # reach_m: one area per reach, the centers' dissolved
    centers: gpd.GeoDataFrame  # name, level, licensed, floor_area
    roads: gpd.GeoDataFrame  # highway
    uncovered: gpd.GeoDataFrame  # name, households, distance_m
    pairings: gpd.GeoDataFrame  # unit, community, status, distance_m (lines)


@dataclass
class Samples:
    """The distributions the charts draw."""

    building_distance_m: npt.NDArray[np.float64]
    building_households: npt.NDArray[np.float64]
    grid_households: npt.NDArray[np.float64]


@dataclass
class ReportDocument:
    """One coverage report: metadata, headline figures, tables, maps and charts' data."""

    meta: dict[str, Any]
    summary: dict[str, Any]
    communities: pd.DataFrame
    streets: pd.DataFrame
    districts: pd.DataFrame
    findings: list[dict[str, Any]]
    rectification: pd.DataFrame
    pairings: list[dict[str, Any]]
    uncovered: list[UncoveredCompound]
    layers: MapLayers
    samples: Samples
    images: dict[str, bytes] = field(default_factory=dict)  # PNGs, filled by figures
    events: list[dict[str, Any]] = field(default_factory=list)  # grid events per community
    duties: list[dict[str, Any]] = field(default_factory=list)  # members' 五个一 per community
    staffing: list[dict[str, Any]] = field(default_factory=list)  # posts, workers, funds
    street_staffing: list[dict[str, Any]] = field(default_factory=list)  # party staff
    stars: list[dict[str, Any]] = field(default_factory=list)  # the 532 rating per community
    wishes: list[dict[str, Any]] = field(default_factory=list)  # micro-wishes per community
    lists: list[dict[str, Any]] = field(default_factory=list)  # 三张清单 per community
    signs: list[dict[str, Any]] = field(default_factory=list)  # 指引牌 per center

    @property
    def reaches(self) -> list[float]:
        return list(self.meta["reaches_m"])


def headline_rows(doc: ReportDocument) -> list[tuple[str, str]]:
    """(label, shown value) for the summary sheet and page, in the active language."""
    s = doc.summary
    f, r, p, m, g = s["facility"], s["reach"], s["pairing"], s["members"], s["grids"]
    d = s["duties"]
    n = s["communities"]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.1f}%"

    def of(share: float | None, count: int) -> str:
        return _("%(share)s（%(count)s/%(total)s）") % {"share": pct(share), "count": count,
                                                       "total": n}

    rows = [
        (_("社区数"), f"{n:,}"),
        (_("户数"), f"{s['households']:,}"),
        (_("人口"), f"{s['population']:,}"),
        (_("服务中心（可挂牌）"), _("%(count)s（%(licensed)s）") % {
            "count": f"{s['centers']['count']:,}", "licensed": f"{s['centers']['licensed']:,}"}),
        (_("达到每百户面积标准的社区占比"), of(f["ratio_share"], f["ratio_count"])),
        (_("达到最低面积 %(m2).0f m² 的社区占比") % {"m2": doc.meta["profile"]["facility_min_m2"]},
         of(f["min_share"], f["min_count"])),
        (_("两项均达标的社区占比"), of(f["meets_share"], f["meets_count"])),
        (_("无服务中心的社区"), f"{f['without_center']}"),
        (_("面积缺口合计"), f"{f['shortfall_m2']:,.0f} m²"),
    ]
    for reach in doc.reaches:
        rows.append((_("步行 %(m)s 米内可达可挂牌中心的户数占比") % {"m": int(reach)},
                     pct(r["shares"].get(reach_column(reach)))))
    status = p["by_status"]
    rows += [
        (_("未覆盖小区（最远步行范围外）"), _("%(compounds)s（%(households)s 户）") % {
            "compounds": r["uncovered_compounds"],
            "households": f"{r['uncovered_households']:,}"}),
        (_("范围内的共建单位（不含候选）"), f"{p['units_in_scope']:,}"),
        (_("结对"), _("%(pairings)s 对：已签约 %(signed)s，已确认 %(confirmed)s，"
                      "建议（待审）%(proposed)s") % {
            "pairings": p["pairings"], "signed": status.get("signed", 0),
            "confirmed": status.get("confirmed", 0), "proposed": status.get("proposed", 0)}),
        (_("已结对的共建单位（已确认或已签约）"), f"{p['units']}"),
        (_("没有已结对共建单位的社区"), f"{p['communities_without_units']}"),
        (_("结对超上限的社区"), f"{p['communities_over_cap']}"),
        (_("报到在职党员"), f"{m['total']:,}"),
        (_("报到党员超过 %(cap)s 名的社区") % {"cap": m["cap"]}, f"{m['communities_over_cap']}"),
        (_("%(year)s 年全部完成“五个一”的报到党员") % {"year": d["year"]},
         _("%(share)s（%(count)s/%(total)s）") % {
             "share": pct(d["share"]), "count": f"{d['complete']:,}",
             "total": f"{d['members']:,}"}),
        (_("网格数"), f"{g['count']:,}"),
        (_("每网格户数 最少/中位/最多"),
         "—" if g["households_min"] is None else
         f"{g['households_min']} / {g['households_median']:g} / {g['households_max']}"),
        (_("户数超出 %(low)s–%(high)s 的网格") % {"low": g["range"][0], "high": g["range"][1]},
         f"{g['out_of_range']}"),
        (_("网格拓扑错误（越界、重叠、缝隙）"), f"{g['topology_errors']}"),
        (_("整改名单社区数"), _("%(count)s（最低 %(share).0f%%）") % {
            "count": s["rectification"]["count"],
            "share": 100 * s["rectification"]["share"]}),
    ]
    return rows


def shown_time(iso: str) -> str:
    """An ISO 8601 time as people read it here: Beijing time, 2026年11月24日 20:33 in Chinese."""
    when = timezone.localtime(datetime.fromisoformat(iso))
    return date_format(when, "DATETIME_FORMAT" if chinese() else "Y-m-d H:i")


def definitions() -> list[str]:
    """How the summary counts, printed under it so its figures read as one story."""
    return [
        _("结对只有在已确认或已签约后才算数：建议结对（优化结果，待工作人员审核）列在结对数中，"
          "但不计入已结对的单位、社区的结对单位数和结对上限。"),
        _("共建单位按位置计入所在社区的范围；OpenStreetMap 导入的候选单位在确认前不计入。"),
        _("步行覆盖按楼栋户数计算：楼栋到最近可挂牌中心的步行距离（路网），不是直线距离。"),
    ]


def display(value: Any, kind: str) -> str:
    """A cell as text for HTML and PDF."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if kind == "int":
        return f"{int(value):,}"
    if kind in ("area", "ratio", "score"):
        return f"{float(value):,.1f}"
    if kind == "share":
        return f"{100 * float(value):.1f}%"
    if kind == "metres":
        return f"{float(value):,.0f}"
    return str(value)


def community_breaches(row: Mapping[str, Any], reaches: Sequence[float]) -> set[str]:
    """Keys of a community row's cells that break a rule (highlighted in every format)."""
    out: set[str] = set()
    if not row["meets"]:
        out |= {"status_label", "m2_per_100_households", "shortfall_m2"}
    if not row["has_center"]:
        out.add("centers")
    if row["over_member_cap"]:
        out.add("members")
    if row["units"] == 0 or row["over_pairing_cap"]:
        out.add("units")
    if row["grids_out_of_range"] or row["grid_findings"] or row["grids"] == 0:
        out |= {"grids", "grid_hh_min", "grid_hh_max"}
    far = row.get("worst_compound_m")
    if row.get("worst_compound") and (far is None or far > max(reaches)):
        out.add("worst_compound_m")
    return out


def rollup_breaches(row: Mapping[str, Any]) -> set[str]:
    """Keys of a street or district row's cells that count rule breaches."""
    keys = ("without_center", "no_units", "over_pairing_cap", "over_member_cap")
    out = {k for k in keys if row.get(k)}
    if row.get("shortfall_m2"):
        out.add("shortfall_m2")
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (NaN → None), for templates and JSON."""
    out = []
    for rec in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            row[str(k)] = v
        out.append(row)
    return out


def community_print_parts(reaches: Sequence[float]) -> list[tuple[str, list[Column]]]:
    """The community table in two halves that fit a landscape A4 page each."""
    cols = {c.key: c for c in community_columns(reaches)}
    first = ["code", "name", "street_name", "households", "centers", "floor_area_m2",
             "m2_per_100_households", "status_label", "shortfall_m2",
             *[reach_column(r) for r in reaches], "score"]
    second = ["code", "name", "population", "worst_compound", "worst_compound_m", "grids",
              "grid_hh_min", "grid_hh_max", "units", "paired_units", "members"]
    return [(_("设施与步行覆盖"), [cols[k] for k in first]),
            (_("网格、结对与党员报到"), [cols[k] for k in second])]
