"""Household-balanced partition: exact against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.partition import PartitionError, balanced_segments, brute_force_cost


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=9))
def test_it_matches_brute_force(values: list[int]) -> None:
    lo, hi, target = 150, 500, 330
    expected = brute_force_cost(values, lo, hi, target)
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
