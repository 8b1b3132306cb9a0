"""The coverage report as data: what every format renders, and the columns it shows.

Django-free. :func:`reports.gather.gather` fills a :class:`ReportDocument` from the
database; the renderers (``xlsx``, ``pdf``, ``html``, ``jsonout``) only lay it out, so
the four formats cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.analysis.coverage import reach_column
from geo.services.results import UncoveredCompound

STATUS_LABELS = {"meets": "达标", "short": "不达标", "no_center": "无中心"}
KIND_LABELS = {
    "no_center": "无服务中心", "shortfall": "面积缺口", "uncovered_compound": "小区未覆盖",
    "no_pairing": "无结对单位", "pairing_over_cap": "结对超上限",
    "members_over_cap": "报到党员超上限", "grid_errors": "网格问题",
}
PAIRING_STATUS_LABELS = {"proposed": "建议", "confirmed": "已确认", "signed": "已签约"}


@dataclass(frozen=True)
class Column:
    """One table column: the data key, its headers and how to show the value.

    ``kind`` is one of text, int, area (m², 1 decimal), ratio (1 decimal), share (0–1,
    shown as a percentage), metres (whole metres) or score (1 decimal).
    """

    key: str
    zh: str
    en: str
    kind: str = "text"


def community_columns(reaches: Sequence[float]) -> list[Column]:
    return [
        Column("code", "社区代码", "code"),
        Column("name", "社区名称", "community"),
        Column("street_name", "街道", "street"),
        Column("households", "户数", "households", "int"),
        Column("population", "人口", "population", "int"),
        Column("centers", "服务中心数", "centers", "int"),
        Column("floor_area_m2", "中心面积(m²)", "floor area m²", "area"),
        Column("m2_per_100_households", "每百户面积(m²)", "m² per 100 households", "ratio"),
        Column("status_label", "达标情况", "rule status"),
        Column("shortfall_m2", "面积缺口(m²)", "shortfall m²", "area"),
        *[Column(reach_column(r), f"{int(r)}米内户数占比", f"households within {int(r)} m",
                 "share") for r in reaches],
        Column("worst_compound", "覆盖最差小区", "worst-served compound"),
        Column("worst_compound_m", "其步行距离(m)", "its walk to a center m", "metres"),
        Column("grids", "网格数", "grids", "int"),
        Column("grid_hh_min", "网格户数最少", "grid households min", "int"),
        Column("grid_hh_max", "网格户数最多", "grid households max", "int"),
        Column("units", "共建单位数", "co-building units", "int"),
        Column("paired_units", "结对单位及距离", "paired units and distances"),
        Column("members", "报到党员", "reporting members", "int"),
        Column("score", "综合评分", "composite score", "score"),
    ]


def rollup_columns(reaches: Sequence[float], level_zh: str, level_en: str) -> list[Column]:
    return [
        Column("code", f"{level_zh}代码", f"{level_en} code"),
        Column("name", level_zh, level_en),
        Column("communities", "社区数", "communities", "int"),
        Column("households", "户数", "households", "int"),
        Column("population", "人口", "population", "int"),
        Column("centers", "服务中心数", "centers", "int"),
        Column("floor_area_m2", "中心面积(m²)", "floor area m²", "area"),
        Column("m2_per_100_households", "每百户面积(m²)", "m² per 100 households", "ratio"),
        Column("meeting_share", "达标社区占比", "communities meeting the rules", "share"),
        Column("without_center", "无中心社区", "communities without a center", "int"),
        Column("shortfall_m2", "面积缺口合计(m²)", "total shortfall m²", "area"),
        *[Column(reach_column(r), f"{int(r)}米内户数占比", f"households within {int(r)} m",
                 "share") for r in reaches],
        Column("worst_compound_m", "最远小区步行距离(m)", "worst compound walk m", "metres"),
        Column("grids", "网格数", "grids", "int"),
        Column("grid_hh_min", "网格户数最少", "grid households min", "int"),
        Column("grid_hh_max", "网格户数最多", "grid households max", "int"),
        Column("units", "结对单位数", "co-building units", "int"),
        Column("no_units", "无结对社区", "communities without units", "int"),
        Column("over_pairing_cap", "结对超上限社区", "communities over the pairing cap", "int"),
        Column("members", "报到党员", "reporting members", "int"),
        Column("over_member_cap", "党员超上限社区", "communities over the member cap", "int"),
    ]


FINDING_COLUMNS = [
    Column("rank", "序号", "rank", "int"),
    Column("kind_label", "问题类型", "kind"),
    Column("community_code", "社区代码", "community code"),
    Column("subject", "对象", "subject"),
    Column("households_affected", "影响户数", "households affected", "int"),
    Column("priority", "优先度", "priority", "int"),
    Column("message", "说明", "detail"),
]

RECTIFICATION_COLUMNS = [
    Column("rank", "排名", "rank", "int"),
    Column("code", "社区代码", "code"),
    Column("name", "社区名称", "community"),
    Column("street_name", "街道", "street"),
    Column("score", "综合评分", "composite score", "score"),
    Column("facility", "设施得分", "facility part", "share"),
    Column("reach", "步行覆盖得分", "reach part", "share"),
    Column("pairing", "结对得分", "pairing part", "share"),
    Column("members_part", "党员报到得分", "members part", "share"),
    Column("grids_part", "网格得分", "grids part", "share"),
]

PAIRING_COLUMNS = [
    Column("community_code", "社区代码", "community code"),
    Column("community", "社区", "community"),
    Column("unit", "共建单位", "co-building unit"),
    Column("unit_type", "单位类型", "unit type"),
    Column("distance_m", "距离(m)", "distance m", "metres"),
    Column("status_label", "状态", "status"),
]

UNCOVERED_COLUMNS = [
    Column("name", "小区", "compound"),
    Column("community_code", "社区代码", "community code"),
    Column("community", "社区", "community"),
    Column("households", "户数", "households", "int"),
    Column("distance_m", "步行最近中心(m)", "walk to nearest center m", "metres"),
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

    @property
    def reaches(self) -> list[float]:
        return list(self.meta["reaches_m"])


def headline_rows(doc: ReportDocument) -> list[tuple[str, str, str]]:
    """(Chinese label, English label, shown value) for the summary sheet and page."""
    s = doc.summary
    f, r, p, m, g = s["facility"], s["reach"], s["pairing"], s["members"], s["grids"]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.1f}%"

    rows = [
        ("社区数", "communities", f"{s['communities']:,}"),
        ("户数", "households", f"{s['households']:,}"),
        ("人口", "population", f"{s['population']:,}"),
        ("服务中心（可挂牌）", "service centers (licensed)",
         f"{s['centers']['count']:,}（{s['centers']['licensed']:,}）"),
        ("达到每百户面积标准的社区占比", "communities meeting the per-100-households ratio",
         f"{pct(f['ratio_share'])}（{f['ratio_count']}/{s['communities']}）"),
        (f"达到最低面积 {doc.meta['profile']['facility_min_m2']:.0f} m² 的社区占比",
         "communities meeting the minimum floor area",
         f"{pct(f['min_share'])}（{f['min_count']}/{s['communities']}）"),
        ("两项均达标的社区占比", "communities meeting both",
         f"{pct(f['meets_share'])}（{f['meets_count']}/{s['communities']}）"),
        ("无服务中心的社区", "communities without a center", f"{f['without_center']}"),
        ("面积缺口合计", "total floor-area shortfall", f"{f['shortfall_m2']:,.0f} m²"),
    ]
    for reach in doc.reaches:
        key = reach_column(reach)
        rows.append((f"步行 {int(reach)} 米内可达可挂牌中心的户数占比",
                     f"households within {int(reach)} m of a licensed center",
                     pct(r["shares"].get(key))))
    status = p["by_status"]
    rows += [
        ("未覆盖小区（最远步行范围外）", "compounds beyond the farthest reach",
         f"{r['uncovered_compounds']}（{r['uncovered_households']:,} 户）"),
        ("共建单位 / 结对", "co-building units / pairings",
         f"{p['units']} / {p['pairings']}（已签约 {status.get('signed', 0)}，"
         f"已确认 {status.get('confirmed', 0)}，建议 {status.get('proposed', 0)}）"),
        ("无结对单位的社区", "communities with no unit", f"{p['communities_without_units']}"),
        ("结对超上限的社区", "communities over the pairing cap",
         f"{p['communities_over_cap']}"),
        ("报到在职党员", "reporting party members", f"{m['total']:,}"),
        (f"报到党员超过 {m['cap']} 名的社区", "communities over the reporting cap",
         f"{m['communities_over_cap']}"),
        ("网格数", "grids", f"{g['count']:,}"),
        ("每网格户数 最少/中位/最多", "households per grid min/median/max",
         "—" if g["households_min"] is None else
         f"{g['households_min']} / {g['households_median']:g} / {g['households_max']}"),
        (f"户数超出 {g['range'][0]}–{g['range'][1]} 的网格", "grids out of the household range",
         f"{g['out_of_range']}"),
        ("网格拓扑错误（越界、重叠、缝隙）", "grid topology errors (overhang, overlap, gap)",
         f"{g['topology_errors']}"),
        ("整改名单社区数", "communities on the rectification list",
         f"{s['rectification']['count']}（最低 {100 * s['rectification']['share']:.0f}%）"),
    ]
    return rows


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
    return [("设施与步行覆盖 facilities and reach", [cols[k] for k in first]),
            ("网格、结对与党员报到 grids, pairings and members", [cols[k] for k in second])]
