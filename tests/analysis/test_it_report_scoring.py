"""Report algorithms: roll-ups against direct computation, the composite score, the list."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.coverage import coverage_table
from geo.analysis.rectification import (
    WEIGHTS,
    composite_score,
    findings,
    rectification_count,
    rectification_order,
    score_parts,
)
from geo.analysis.rollup import rollup

REACHES = [300.0, 500.0]


def _communities(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n communities over 3 streets, with buildings whose distances give the shares."""
    buildings = []
    rows = []
    for i in range(n):
        code = f"510199{1 + i % 3:03d}{i:03d}"
        nb = int(rng.integers(0, 6))
        d = rng.uniform(0, 800, nb)
        hh = rng.integers(0, 60, nb)
        buildings += [(code, code[:9], float(x), int(h)) for x, h in zip(d, hh, strict=True)]
        households = int(rng.integers(0, 4000))
        area = float(rng.choice([0.0, rng.uniform(100, 2000)]))
        grids = int(rng.integers(0, 8))
        rows.append({
            "code": code, "street_code": code[:9], "households": households,
            "population": 3 * households, "centers": int(area > 0), "has_center": area > 0,
            "floor_area_m2": area, "required_m2": max(0.3 * households, 300.0),
            "shortfall_m2": max(max(0.3 * households, 300.0) - area, 0.0),
            "meets": area >= max(0.3 * households, 300.0), "grids": grids,
            "grids_out_of_range": int(rng.integers(0, grids + 1)),
            "grid_findings": int(rng.integers(0, grids + 1)),
            "units": int(rng.integers(0, 8)), "pairing_cap": 5,
            "members": int(rng.integers(0, 150)), "member_cap": 100,
            "grid_hh_min": None if grids == 0 else int(rng.integers(100, 200)),
            "grid_hh_max": None if grids == 0 else int(rng.integers(300, 600)),
            "worst_compound_m": float(rng.uniform(0, 1500)),
        })
    comms = pd.DataFrame(rows)
    bframe = pd.DataFrame(buildings, columns=["code", "street", "d", "hh"])
    table = coverage_table(bframe["d"], bframe["hh"], list(bframe["code"]), REACHES)
    table = table.set_index("key")
    comms["covered_households"] = comms["code"].map(table["households"]).fillna(0).astype(int)
    for r in REACHES:
        col = f"within_{int(r)}m"
        comms[col] = comms["code"].map(table[col])
    comms["over_pairing_cap"] = comms["units"] > comms["pairing_cap"]
    comms["over_member_cap"] = comms["members"] > comms["member_cap"]
    return comms, bframe


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 25))
def test_it_rolls_up_streets_exactly_as_a_direct_computation(seed: int, n: int) -> None:
    comms, bframe = _communities(np.random.default_rng(seed), n)
    streets = rollup(comms, "street_code", REACHES).set_index("code")
    direct = coverage_table(bframe["d"], bframe["hh"], list(bframe["street"]), REACHES)
    direct_rows: dict[str, Any] = {str(k): r for k, r in direct.set_index("key").iterrows()}
    for key, row in streets.iterrows():
        code = str(key)
        part = comms[comms["street_code"] == code]
        assert row["communities"] == len(part)
        assert row["households"] == part["households"].sum()
        hh = part["households"].sum()
        expect = part["floor_area_m2"].sum() / hh * 100 if hh else math.nan
        assert row["m2_per_100_households"] == pytest.approx(expect, nan_ok=True)
        assert row["meeting"] == part["meets"].sum()
        assert row["without_center"] == (~part["has_center"]).sum()
        assert row["no_units"] == (part["units"] == 0).sum()
        for r in REACHES:
            col = f"within_{int(r)}m"
            if code in direct_rows and direct_rows[code]["households"] > 0:
                assert row[col] == pytest.approx(direct_rows[code][col], abs=1e-12)
            else:
                assert math.isnan(row[col])


def test_it_scores_each_part_as_documented() -> None:
    comms = pd.DataFrame([
        # full marks: enough area, everyone within reach, 2 units, 80 members, clean grids
        {"floor_area_m2": 600.0, "required_m2": 600.0, "within_300m": 1.0, "within_500m": 1.0,
         "units": 2, "pairing_cap": 5, "members": 80, "member_cap": 100, "grids": 4,
         "grid_findings": 0},
        # half the area, half the reach at 300 and none at 500 (mean 0.25), over both caps,
        # one of four grids with a finding, no buildings measured at 500 (NaN counts as 0)
        {"floor_area_m2": 300.0, "required_m2": 600.0, "within_300m": 0.5,
         "within_500m": np.nan, "units": 10, "pairing_cap": 5, "members": 200,
         "member_cap": 100, "grids": 4, "grid_findings": 1},
        # no units, no grids
        {"floor_area_m2": 0.0, "required_m2": 300.0, "within_300m": 0.0, "within_500m": 0.0,
         "units": 0, "pairing_cap": 5, "members": 0, "member_cap": 100, "grids": 0,
         "grid_findings": 0},
    ])
    parts = score_parts(comms, REACHES)
    assert parts.iloc[0].tolist() == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert parts.iloc[1].tolist() == [0.5, 0.25, 0.5, 0.5, 0.75]
    assert parts.iloc[2].tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    scores = composite_score(parts)
    assert scores[0] == pytest.approx(100.0)
    assert scores[1] == pytest.approx(100 * (0.3 * 0.5 + 0.3 * 0.25 + 0.15 * 0.5
                                             + 0.1 * 0.5 + 0.15 * 0.75))
    assert scores[2] == pytest.approx(100 * WEIGHTS["members"])
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "expected"), [(0, 0), (1, 1), (19, 1), (20, 1), (21, 2),
                                             (36, 2), (40, 2), (41, 3), (200, 10)])
def test_it_takes_the_lowest_five_percent_rounded_up(n: int, expected: int) -> None:
    assert rectification_count(n, 0.05) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_it_lists_the_lowest_scores_with_ties_by_code(scores: list[int]) -> None:
    codes = [f"{i:012d}" for i in range(len(scores))][::-1]  # codes descend with the index
    order = rectification_order(np.array(scores, float), codes, 0.05)
    k = rectification_count(len(scores), 0.05)
    brute = sorted(range(len(scores)), key=lambda i: (scores[i], codes[i]))[:k]
    assert order == brute
    assert max(scores[i] for i in order) <= min(
        (scores[i] for i in range(len(scores)) if i not in order), default=math.inf)


def test_it_ranks_findings_by_priority() -> None:
    comms = pd.DataFrame([
        {"code": "A", "name": "甲", "households": 1000, "shortfall_m2": 150.0,
         "required_m2": 300.0, "has_center": True, "units": 0, "pairing_cap": 5,
         "members": 120, "member_cap": 100, "grid_findings": 0},
        {"code": "B", "name": "乙", "households": 800, "shortfall_m2": 300.0,
         "required_m2": 300.0, "has_center": False, "units": 6, "pairing_cap": 5,
         "members": 10, "member_cap": 100, "grid_findings": 2},
    ])
    out = findings(comms, [{"name": "远郊小区", "households": 700, "community_code": "A",
                            "distance_m": None}])
    got = [(f["kind"], f["subject"], f["priority"]) for f in out]
    assert got == [
        ("no_center", "乙", 800.0), ("shortfall", "乙", 800.0),
        ("uncovered_compound", "远郊小区", 700.0), ("shortfall", "甲", 500.0),
        ("no_pairing", "甲", 500.0), ("members_over_cap", "甲", 500.0),
        ("pairing_over_cap", "乙", 400.0), ("grid_errors", "乙", 200.0),
    ]
    assert [f["rank"] for f in out] == list(range(1, 9))
    assert str(out[2]["message"]) == "小区步行不可达任何中心"
