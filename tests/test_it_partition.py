"""Household-balanced partition: exact against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.partition import PartitionError, balanced_segments


def _brute(values: list[int], lo: int, hi: int, target: float) -> float | None:
    n = len(values)
    best = None
    for cuts in itertools.product([False, True], repeat=n - 1):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        sums = [sum(values[a:b]) for a, b in itertools.pairwise(bounds)]
        if all(lo <= s <= hi for s in sums):
            cost = sum((s - target) ** 2 for s in sums)
            best = cost if best is None else min(best, cost)
    return best


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=9))
def test_it_matches_brute_force(values: list[int]) -> None:
    lo, hi, target = 150, 500, 330
    expected = _brute(values, lo, hi, target)
    if expected is None:
        with pytest.raises(PartitionError):
            balanced_segments(values, lo, hi, target)
        return
    segs = balanced_segments(values, lo, hi, target)
    assert segs[0][0] == 0 and segs[-1][1] == len(values)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(segs))
    sums = [sum(values[a:b]) for a, b in segs]
    assert all(lo <= s <= hi for s in sums)
    assert sum((s - target) ** 2 for s in sums) == pytest.approx(expected)


def test_it_explains_infeasibility_with_numbers() -> None:
    with pytest.raises(PartitionError, match="600 households into parts of 150-500"):
        balanced_segments([600], 150, 500)
