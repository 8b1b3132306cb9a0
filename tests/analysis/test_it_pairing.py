"""Optimal pairing against an independent HiGHS MILP, caps, locks and infeasibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.pairing import CM, PairingInfeasible, PairingProblem
from tests.pairing_reference import solve_reference


@st.composite
def instances(draw: st.DrawFn) -> PairingProblem:
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_u = draw(st.integers(1, 12))
    n_c = draw(st.integers(1, 7))
    # Whole centimetres so rounding can never decide between two optima.
    cost = rng.integers(1, 300_000, size=(n_u, n_c)) / CM
    cost[rng.random((n_u, n_c)) < 0.1] = np.inf
    cap_u = rng.integers(1, 3, size=n_u)
    cap_c = rng.integers(1, 6, size=n_c)
    min_c = np.minimum(rng.integers(0, 3, size=n_c), cap_c)
    max_d = draw(st.sampled_from([None, 1000.0, 2000.0]))
    locked = set()
    for _ in range(draw(st.integers(0, 3))):
        locked.add((int(rng.integers(n_u)), int(rng.integers(n_c))))
    locked = {(i, j) for i, j in locked if np.isfinite(cost[i, j])}
    return PairingProblem.from_cost_matrix(cost, cap_u, cap_c, min_c, max_d, locked)


@settings(max_examples=300, deadline=None)
@given(problem=instances())
def test_it_matches_the_independent_milp(problem: PairingProblem) -> None:
    ref = solve_reference(problem)
    reasons = problem.infeasibility()
    assert (not reasons) == ref.feasible, reasons
    if not ref.feasible:
        with pytest.raises(PairingInfeasible):
            problem.solve()
        return
    result = problem.solve()
    assert result.status == "optimal"
    cents = sum(round(d * CM) for _, _, d in result.pairs)
    assert len(result.pairs) == ref.pairings
    assert cents == ref.total_cm
    _assert_respects_every_constraint(problem, result.pairs)


def _assert_respects_every_constraint(problem: PairingProblem,
                                      pairs: list[tuple[int, int, float]]) -> None:
    n_u, n_c = problem.shape
    per_unit = np.bincount([i for i, _, _ in pairs], minlength=n_u)
    per_comm = np.bincount([j for _, j, _ in pairs], minlength=n_c)
    assert (per_unit <= problem.unit_capacity).all()
    assert (per_comm <= problem.community_cap).all()
    assert (per_comm >= problem.community_min).all()
    assert len({(i, j) for i, j, _ in pairs}) == len(pairs)
    assert set(problem.locked) <= {(i, j) for i, j, _ in pairs}
    for i, j, d in pairs:
        if (i, j) not in problem.locked and problem.max_distance is not None:
            assert d <= problem.max_distance


def test_it_beats_greedy_which_breaks_the_cap() -> None:
    # Six units all nearest to community 0 (cap 5): greedy overfills it.
    cost = np.array([[100.0 + i, 900.0] for i in range(6)])
    problem = PairingProblem.from_cost_matrix(cost, community_cap=5)
    greedy = problem.greedy().summary()
    best = problem.solve().summary()
    assert greedy["communities_over_cap"] == 1 and greedy["pairings_over_cap"] == 1
    assert best["communities_over_cap"] == 0
    assert best["pairings"] == 6
    assert best["total_m"] == pytest.approx(100 + 101 + 102 + 103 + 104 + 900)


def test_it_keeps_locked_pairings_even_when_far() -> None:
    cost = np.array([[10.0, 5000.0], [20.0, 30.0]])
    problem = PairingProblem.from_cost_matrix(cost, community_cap=1, max_distance=1000,
                                              locked=[(0, 1)])
    result = problem.solve()
    assert sorted((i, j) for i, j, _ in result.pairs) == [(0, 1), (1, 0)]
    assert result.locked == [True, False]


def test_it_explains_infeasibility_with_numbers() -> None:
    cost = np.full((3, 2), 100.0)
    problem = PairingProblem.from_cost_matrix(cost, community_min=2)
    with pytest.raises(PairingInfeasible) as err:
        problem.solve()
    assert "还需 4 对，但各单位只能再提供 3 对" in str(err.value)

    far = PairingProblem.from_cost_matrix([[100.0, 5000.0], [100.0, 5000.0]],
                                          community_min=1, max_distance=1000)
    assert [str(r) for r in far.infeasibility()] == [
        "社区 1 还需 1 个单位，但 1000 米内只有 0 个可用"]

    over = PairingProblem.from_cost_matrix(np.full((3, 1), 1.0), community_cap=2,
                                           locked=[(0, 0), (1, 0), (2, 0)])
    assert [str(r) for r in over.infeasibility()] == ["社区 0 已锁定 3 个结对，超过其上限 2"]

    # Hall's condition: both communities need unit 0, the only one near them.
    hall = PairingProblem.from_cost_matrix([[1.0, 1.0], [np.inf, np.inf]], community_min=1)
    assert "最低结对数 2 对中同时最多只能满足 1 对" in str(hall.infeasibility()[0])


def test_it_finds_the_largest_even_minimum() -> None:
    rng = np.random.default_rng(7)
    cost = rng.uniform(100, 3000, size=(23, 5))
    problem = PairingProblem.from_cost_matrix(cost, community_cap=5)
    assert problem.auto_minimum() == 4
    capped = PairingProblem.from_cost_matrix(cost, community_cap=5, max_distance=400)
    m = capped.auto_minimum()
    assert not PairingProblem.from_cost_matrix(cost, 1, 5, m, 400).infeasibility()
    assert PairingProblem.from_cost_matrix(cost, 1, 5, m + 1, 400).infeasibility()


def test_it_refuses_malformed_input() -> None:
    with pytest.raises(ValueError, match="matrix"):
        PairingProblem.from_cost_matrix([1.0, 2.0])
    with pytest.raises(ValueError, match="negative"):
        PairingProblem.from_cost_matrix([[-1.0]])
    with pytest.raises(ValueError, match="exceeds its cap"):
        PairingProblem.from_cost_matrix([[1.0]], community_cap=1, community_min=2)
    with pytest.raises(ValueError, match="length 2"):
        PairingProblem.from_cost_matrix([[1.0, 2.0]], community_cap=[1, 2, 3])
