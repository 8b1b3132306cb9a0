"""pair_units on the demo: optimal by HiGHS too, caps kept, greedy beside it, --save."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from geo.analysis.pairing import CM
from geo.analysis.rules import load_profile
from geo.models import Pairing
from geo.services.pairing import build_problem
from tests.analysis_helpers import run_json
from tests.pairing_reference import solve_reference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("metric", ["walk", "straight"])
def test_it_is_optimal_and_keeps_every_rule(demo_db: None, metric: str) -> None:
    result = run_json("pair_units", "--metric", metric)
    summary = result["summary"]
    assert summary["status"] == "optimal"
    assert summary["communities_over_cap"] == 0 and summary["communities_under_min"] == 0
    for c in result["per_community"]:
        assert c["min"] <= c["units"] <= c["cap"]
    inputs = build_problem("", metric, load_profile(None), None, "auto", None)
    ref = solve_reference(inputs.problem)
    assert ref.pairings == summary["pairings"]
    ours = sum(round(p["distance_m"] * CM) for p in result["pairings"])
    # The printed distances are rounded to 0.1 m: allow that per pairing.
    assert abs(ours - ref.total_cm) <= 5 * len(result["pairings"])
    locked = Pairing.objects.filter(status__in=["confirmed", "signed"]).count()
    assert sum(p["locked"] for p in result["pairings"]) == locked
    assert result["greedy"]["pairings"] >= 1


def test_it_saves_proposals_and_replaces_them_on_a_rerun(demo_db: None) -> None:
    first = run_json("pair_units", "--metric", "straight", "--save")
    assert first["saved"] == Pairing.objects.filter(status="proposed").count() > 0
    second = run_json("pair_units", "--metric", "straight", "--save")
    assert Pairing.objects.filter(status="proposed").count() == second["saved"] == first["saved"]


def test_it_explains_why_no_pairing_is_possible(demo_db: None) -> None:
    with pytest.raises(CommandError, match="还需 5 个单位，但"):
        run_json("pair_units", "--metric", "straight", "--min-per-community", "5",
                 "--max-distance", "300")


def test_it_names_the_cap_raised_for_large_communities() -> None:
    profile = load_profile("national-2022")
    assert profile.pairing_cap_for(1000) == 5
    assert profile.pairing_cap_for(6000) == 6
    assert profile.pairing_cap_for(9000) == 8
    assert profile.pairing_cap_for(9000, base=10) == 10
