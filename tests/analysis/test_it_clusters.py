"""Joining overlapping cluster cells: a partition, seeded largest first, checked by brute force."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.clusters import join_close_cells


def brute(xy: list[tuple[float, float]], counts: list[int], radius: float) -> list[list[int]]:
    order = sorted(range(len(xy)), key=lambda i: (-counts[i], i))
    taken: set[int] = set()
    out = []
    for s in order:
        if s in taken:
            continue
        near = [i for i in range(len(xy)) if i not in taken and i != s
                and math.dist(xy[s], xy[i]) <= radius]
        taken.update([s, *near])
        out.append([s, *near])
    return out


def test_it_joins_cells_split_at_a_corner() -> None:
    # Four cells around one corner, and one far away.
    xy = [(99.0, 99.0), (101.0, 99.0), (99.0, 101.0), (101.0, 101.0), (500.0, 500.0)]
    groups = join_close_cells(xy, [5, 9, 1, 1, 3], radius=20)
    assert groups == [[1, 0, 2, 3], [4]]
    assert join_close_cells([], [], 10) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 9)),
                min_size=1, max_size=40),
       st.floats(0, 15))
def test_it_matches_a_brute_force_greedy(cells: list[tuple[int, int, int]],
                                          radius: float) -> None:
    xy = [(float(x), float(y)) for x, y, _ in cells]
    counts = [c for _, _, c in cells]
    got = join_close_cells(xy, counts, radius)
    assert got == brute(xy, counts, radius)
    assert sorted(i for g in got for i in g) == list(range(len(cells)))
