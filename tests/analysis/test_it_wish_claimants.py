"""Ranking claimants of a micro-wish: walking distance, category fit, who already claimed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.wishes import rank_claimants

INF = math.inf


def test_it_prefers_the_near_the_fitting_and_the_not_yet_busy() -> None:
    walk = [400, 300, 900, 250, INF, 3_500]
    fits = [True, False, True, True, True, True]
    busy = [False, False, False, True, False, False]
    # cost: 200, 300, 450, 250 (busy doubles 125), unreachable, beyond 3 km
    assert rank_claimants(walk, fits, busy, k=10) == [0, 3, 1, 2]
    assert rank_claimants(walk, fits, busy, k=2) == [0, 3]
    assert rank_claimants(walk, fits, busy, k=10, fit_bonus=0.0, busy_penalty=0.0) == [
        3, 1, 0, 2]


def test_it_breaks_ties_by_the_lower_index() -> None:
    assert rank_claimants([100, 100, 100], [True] * 3, [False] * 3, 3) == [0, 1, 2]


def test_it_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="one shape"):
        rank_claimants([1, 2], [True], [False, False], 1)
    with pytest.raises(ValueError, match="fit_bonus"):
        rank_claimants([1], [True], [False], 1, fit_bonus=1.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.floats(0, 5_000), st.just(INF)), st.booleans(),
                          st.booleans()), max_size=30), st.integers(1, 10))
def test_it_agrees_with_sorting_by_hand(rows: list[tuple[float, bool, bool]], k: int) -> None:
    walk = [r[0] for r in rows]
    fits = [r[1] for r in rows]
    busy = [r[2] for r in rows]
    cost = [w * (1 - 0.5 * f) * (1 + b) for w, f, b in rows]
    keep = [i for i, w in enumerate(walk) if w <= 3_000]
    expected = sorted(keep, key=lambda i: (cost[i], i))[:k]
    assert rank_claimants(walk, fits, busy, k) == expected
