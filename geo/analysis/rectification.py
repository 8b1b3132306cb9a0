"""Composite score, the rectification list and ranked findings (Django-free).

The composite score of community c is a weighted mean of five parts, each in [0, 1]:

==========  ======  ==============================================================
part        weight  value
==========  ======  ==============================================================
facility    0.30    min(1, floor area / required area), required = max(ratio ×
                    households / 100, minimum area) of the rule profile
reach       0.30    mean over the report's reaches of the household share within
                    that walk of a licensed center (no buildings counts as 0)
pairing     0.15    0 with no co-building unit; 1 with 1..cap; cap / units over cap
members     0.10    1 up to the reporting cap; cap / members above it
grids       0.15    share of the community's grids with no finding (0 with no grids)
==========  ======  ==============================================================

    score_c = 100 × Σ_k w_k part_k,c

The rectification list (软弱涣散整顿) is the ceil(share × n) lowest scores, at least
one when there are communities, ties broken by code so the list is reproducible.

Findings are ranked by priority = severity × households affected, one unit for
unlike problems. A facility shortfall affects households × shortfall / required; a
community without a center, without a pairing, over a cap or with grid findings
affects all its households; an uncovered compound affects its own households.
Severity (:data:`SEVERITY`) is 1 for missing service (no center, shortfall, uncovered
compound), 0.5 for organisation (no pairing, over a cap) and 0.25 for grid findings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .coverage import reach_column
from .text import Text

WEIGHTS = {"facility": 0.30, "reach": 0.30, "pairing": 0.15, "members": 0.10, "grids": 0.15}


def score_parts(communities: pd.DataFrame, reaches: Sequence[float]) -> pd.DataFrame:
    """The five parts of the score, one row per community (see the module docstring).

    ``communities`` needs ``floor_area_m2``, ``required_m2``, ``within_{r}m``, ``units``,
    ``pairing_cap``, ``members``, ``member_cap``, ``grids`` and ``grid_findings``.
    """
    area = communities["floor_area_m2"].to_numpy(float)
    need = communities["required_m2"].to_numpy(float)
    units = communities["units"].to_numpy(float)
    cap = communities["pairing_cap"].to_numpy(float)
    members = communities["members"].to_numpy(float)
    mcap = communities["member_cap"].to_numpy(float)
    grids = communities["grids"].to_numpy(float)
    bad = communities["grid_findings"].to_numpy(float)
    shares = np.column_stack([communities[reach_column(r)].to_numpy(float) for r in reaches])
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = pd.DataFrame({
            "facility": np.where(need > 0, np.minimum(1.0, area / need), 1.0),
            "reach": np.nan_to_num(shares, nan=0.0).mean(axis=1),
            "pairing": np.where(units == 0, 0.0, np.where(units <= cap, 1.0, cap / units)),
            "members": np.where(members <= mcap, 1.0, mcap / members),
            "grids": np.where(grids > 0, np.clip(1.0 - bad / grids, 0.0, 1.0), 0.0),
        }, index=communities.index)
    return parts


def composite_score(parts: pd.DataFrame) -> npt.NDArray[np.float64]:
    """100 × the weighted sum of the parts."""
    total = np.zeros(len(parts))
    for name, w in WEIGHTS.items():
        total += w * parts[name].to_numpy(float)
    return np.asarray(100.0 * total, dtype=np.float64)


def rectification_count(n: int, share: float) -> int:
    """How many communities the list takes: ceil(share × n), at least one of n > 0."""
    if n == 0:
        return 0
    return max(1, min(n, math.ceil(share * n - 1e-9)))


def rectification_order(scores: npt.ArrayLike, codes: Sequence[str], share: float
                        ) -> list[int]:
    """Row indices of the lowest ``share`` by score, lowest first, ties by code."""
    values = np.asarray(scores, dtype=np.float64)
    order = sorted(range(len(values)), key=lambda i: (round(float(values[i]), 9), codes[i]))
    return order[:rectification_count(len(values), share)]


def findings(communities: pd.DataFrame, uncovered: Sequence[Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
    """Every problem with the households it affects, most affected first.

    ``communities`` needs ``code``, ``name``, ``households``, ``shortfall_m2``,
    ``required_m2``, ``has_center``, ``units``, ``pairing_cap``, ``members``,
    ``member_cap`` and ``grid_findings``; ``uncovered`` holds compounds beyond the
    farthest reach (``name``, ``households``, ``community_code``, ``distance_m``).
    """
    out: list[dict[str, Any]] = []

    def add(kind: str, code: str, name: str, affected: float, value: float | None,
            text: Text) -> None:
        out.append({"kind": kind, "community_code": code, "subject": name,
                    "households_affected": round(affected),
                    "priority": round(SEVERITY[kind] * affected, 1),
                    "value": None if value is None else round(float(value), 1),
                    "message": text})

    rows: list[dict[str, Any]] = communities.to_dict(orient="records")  # type: ignore[assignment]
    for r in rows:
        code, name, hh = r["code"], r["name"], int(r["households"])
        short, need = float(r["shortfall_m2"]), float(r["required_m2"])
        units, cap = int(r["units"]), int(r["pairing_cap"])
        members, mcap, bad = int(r["members"]), int(r["member_cap"]), int(r["grid_findings"])
        if not r["has_center"]:
            add("no_center", code, name, hh, None, Text("社区无党群服务中心"))
        if short > 0:
            add("shortfall", code, name, hh * short / need, short,
                Text("面积缺口 %(short).0f m²（应有 %(need).0f m²）", short=short, need=need))
        if units == 0:
            add("no_pairing", code, name, hh, 0, Text("无结对共建单位"))
        elif units > cap:
            add("pairing_over_cap", code, name, hh, units,
                Text("结对单位 %(units)s 个，超过上限 %(cap)s 个", units=units, cap=cap))
        if members > mcap:
            add("members_over_cap", code, name, hh, members,
                Text("报到党员 %(members)s 名，超过上限 %(cap)s 名", members=members, cap=mcap))
        if bad > 0:
            add("grid_errors", code, name, hh, bad, Text("网格问题 %(n)s 处", n=bad))
    for c in uncovered:
        dist = c.get("distance_m")
        far = (Text("小区步行不可达任何中心") if dist is None else
               Text("小区步行到最近中心 %(m).0f m", m=dist))
        add("uncovered_compound", c.get("community_code") or "", c["name"],
            c["households"], dist, far)
    kind_rank = {k: i for i, k in enumerate(SEVERITY)}
    out.sort(key=lambda f: (-f["priority"], kind_rank[f["kind"]],
                            f["community_code"], f["subject"]))
    for rank, f in enumerate(out, start=1):
        f["rank"] = rank
    return out


SEVERITY = {"no_center": 1.0, "shortfall": 1.0, "uncovered_compound": 1.0, "no_pairing": 0.5,
            "pairing_over_cap": 0.5, "members_over_cap": 0.5, "grid_errors": 0.25}
