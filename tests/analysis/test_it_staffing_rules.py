"""Posts, social workers, funds and street party staff against the profile's ranges."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geo.analysis.rules import ProfileError, load_profile
from geo.analysis.staffing import (
    FundStep,
    StaffingRules,
    check_communities,
    street_party_staff_short,
)

NAN = float("nan")
RULES = StaffingRules(posts=(8, 12), social_workers=(6, 10), street_party_staff_min=4,
                      funds=(FundStep(0, 50_000), FundStep(3_000, 100_000)))


def test_it_finds_what_falls_short_or_over() -> None:
    out = check_communities(
        households=[1_000, 2_999, 3_000, 5_000, 800],
        posts=[10, 7, 13, 8, NAN], social_workers=[6, 5, 11, 10, 7],
        funds_yuan=[50_000, 60_000, 99_999.5, 100_000, 50_000], rules=RULES)
    assert out.funds_required.tolist() == [50_000, 50_000, 100_000, 100_000, 50_000]
    assert out.posts_short.tolist() == [0, 1, 0, 0, 0]
    assert out.posts_over.tolist() == [0, 0, 1, 0, 0]
    assert out.workers_short.tolist() == [0, 1, 0, 0, 0]
    assert out.workers_over.tolist() == [0, 0, 1, 0, 0]
    assert out.funds_short.tolist() == [0, 0, 0.5, 0, 0]
    # The range ends are inside; a community that did not report is not ok, nor short.
    assert out.ok.tolist() == [True, False, False, True, False]
    assert out.reported.tolist() == [True, True, True, True, False]


def test_it_takes_the_highest_fund_step_reached_in_any_order() -> None:
    rules = StaffingRules(funds=(FundStep(5_000, 150_000), FundStep(0, 50_000),
                                 FundStep(3_000, 100_000)))
    assert rules.funds_for([0, 2_999, 3_000, 4_999, 5_000, 9_000]).tolist() == [
        50_000, 50_000, 100_000, 100_000, 150_000, 150_000]


def test_it_counts_street_party_staff_below_the_minimum() -> None:
    assert street_party_staff_short([0, 3, 4, 9, NAN], RULES).tolist() == [4, 1, 0, 0, 0]


def test_it_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="one shape"):
        check_communities([1, 2], [1], [1, 2], [1, 2], RULES)


def test_it_reads_the_rules_from_the_profile(tmp_path: Path) -> None:
    assert load_profile().staffing == RULES
    raw = json.loads(Path("geo/analysis/profiles/national-2022.json").read_text("utf-8"))
    raw["staffing"] = {"posts": [9, 11], "funds_by_households": [
        {"households_at_least": 0, "min_yuan": 80_000}]}
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(raw), "utf-8")
    rules = load_profile(str(path)).staffing
    assert rules.posts == (9, 11) and rules.social_workers == (6, 10)
    assert rules.funds_for(np.array([10_000])).tolist() == [80_000]
    for bad in ({"posts": [12, 8]}, {"posts": 10}, {"funds_by_households": [
            {"households_at_least": 0, "min_yuan": -1}]}, [1]):
        raw["staffing"] = bad
        path.write_text(json.dumps(raw), "utf-8")
        with pytest.raises(ProfileError):
            load_profile(str(path))
