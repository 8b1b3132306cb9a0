"""Needs–resources matching (三张清单) against an independent HiGHS MILP, and its rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.matching import CM, Match, MatchingProblem, MatchingResult, allowed_pairs
from tests.matching_reference import solve_reference


@st.composite
def instances(draw: st.DrawFn) -> MatchingProblem:
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n_r = draw(st.integers(1, 9))
    n_n = draw(st.integers(1, 9))
    # Whole centimetres, and an even number of them so the halved paired distance is whole.
    cost = rng.integers(1, 200_000, size=(n_r, n_n)) * 2 / CM
    cost[rng.random((n_r, n_n)) < 0.3] = np.inf  # another kind or another period
    return MatchingProblem.from_cost_matrix(
        cost, rng.integers(0, 5, size=n_r), rng.integers(0, 4, size=n_n),
        paired=rng.random((n_r, n_n)) < 0.3, paired_factor=draw(st.sampled_from([0.5, 1.0])),
        max_distance=draw(st.sampled_from([None, 1500.0, 3000.0])))


def _weighted_cents(problem: MatchingProblem, result_matches: list[Match]) -> int:
    return sum(m.quantity * round(m.metres * (problem.paired_factor if m.paired else 1.0) * CM)
               for m in result_matches)


@settings(max_examples=300, deadline=None)
@given(problem=instances())
def test_it_matches_the_independent_milp(problem: MatchingProblem) -> None:
    ref = solve_reference(problem)
    result = problem.solve()
    assert int(result.met.sum()) == ref.met
    assert _weighted_cents(problem, result.matches) == ref.total_cm
    _assert_respects_every_constraint(problem, result)


@settings(max_examples=100, deadline=None)
@given(problem=instances())
def test_it_never_meets_less_than_greedy(problem: MatchingProblem) -> None:
    best, greedy = problem.solve(), problem.greedy()
    _assert_respects_every_constraint(problem, greedy)
    assert best.met.sum() >= greedy.met.sum()
    if best.met.sum() == greedy.met.sum():
        assert _weighted_cents(problem, best.matches) <= _weighted_cents(problem, greedy.matches)


def _assert_respects_every_constraint(problem: MatchingProblem,
                                      result: MatchingResult) -> None:
    given_ = np.zeros(problem.shape[0], dtype=np.int64)
    for m in result.matches:
        assert m.quantity > 0
        assert np.isfinite(problem.cost[m.resource, m.need])
        if problem.max_distance is not None:
            assert problem.cost[m.resource, m.need] <= problem.max_distance
        given_[m.resource] += m.quantity
    assert (given_ <= problem.capacity).all()
    assert (result.met <= problem.demand).all()
    assert len({(m.resource, m.need) for m in result.matches}) == len(result.matches)


def test_it_prefers_the_paired_unit_within_the_factor() -> None:
    # Need 0 can take resource 0 (1,000 m, not paired) or resource 1 (1,600 m, paired).
    cost = [[1000.0], [1600.0]]
    paired = [[False], [True]]
    chosen = MatchingProblem.from_cost_matrix(cost, 1, 1, paired, 0.5).solve().matches
    assert [(m.resource, m.paired) for m in chosen] == [(1, True)]  # 800 < 1,000
    plain = MatchingProblem.from_cost_matrix(cost, 1, 1, paired, 1.0).solve().matches
    assert [m.resource for m in plain] == [0]


def test_it_meets_most_needs_before_walking_least() -> None:
    # Greedy gives need 0 its nearest resource, the only one need 1 can use.
    cost = [[100.0, 200.0], [300.0, np.inf]]
    problem = MatchingProblem.from_cost_matrix(cost, [1, 1], [1, 1])
    best, greedy = problem.solve(), problem.greedy()
    assert best.summary()["needs_met"] == 2
    assert sorted((m.resource, m.need) for m in best.matches) == [(0, 1), (1, 0)]
    assert greedy.summary()["needs_met"] == 1
    assert problem.unmet_reasons(greedy)[0].render(str).startswith("需求 1")


def test_it_splits_a_need_across_resources_and_respects_capacity() -> None:
    problem = MatchingProblem.from_cost_matrix([[50.0], [70.0], [90.0]], [2, 2, 5], [5])
    result = problem.solve()
    assert [(m.resource, m.quantity) for m in result.matches] == [(0, 2), (1, 2), (2, 1)]
    s = result.summary()
    assert (s["met"], s["needs_met"], s["projects"]) == (5, 1, 3)
    assert s["mean_m"] == pytest.approx((2 * 50 + 2 * 70 + 90) / 5)


def test_it_explains_unmet_needs_with_numbers() -> None:
    problem = MatchingProblem.from_cost_matrix(
        [[100.0, 4000.0]], [2], [3, 1], max_distance=3000.0, need_labels=["助老", "法律"])
    result = problem.solve()
    reasons = [r.render(str) for r in problem.unmet_reasons(result)]
    assert reasons == ["助老：需要 3，同类资源已被用尽，满足 2", "法律：3000 米内没有同类资源"]


def test_it_allows_only_the_same_kind_in_overlapping_periods() -> None:
    y = dt.date
    ok = allowed_pairs(
        ["legal", "legal", "venue"], ["legal", "venue"],
        [(y(2026, 1, 1), y(2026, 6, 30)), (y(2025, 1, 1), y(2025, 12, 31)),
         (y(2026, 12, 31), y(2027, 3, 1))],
        [(y(2026, 1, 1), y(2026, 12, 31))] * 2)
    assert ok.tolist() == [[True, False], [False, False], [False, True]]


def test_it_refuses_malformed_input() -> None:
    with pytest.raises(ValueError, match="matrix"):
        MatchingProblem.from_cost_matrix([1.0, 2.0])
    with pytest.raises(ValueError, match="negative"):
        MatchingProblem.from_cost_matrix([[-1.0]])
    with pytest.raises(ValueError, match="demand"):
        MatchingProblem.from_cost_matrix([[1.0]], 1, [1, 2])
    with pytest.raises(ValueError, match="paired_factor"):
        MatchingProblem.from_cost_matrix([[1.0]], paired_factor=0)
    with pytest.raises(ValueError, match="shape"):
        MatchingProblem.from_cost_matrix([[1.0]], paired=[[True, False]])
