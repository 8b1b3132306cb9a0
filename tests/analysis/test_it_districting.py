"""Grid proposals from block units: exact on small graphs (against a brute force), with reasons."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.analysis.districting import BIG, LAMBDA, MAX_RATIO, RATIO, GridDistricting


def lattice(rows: int, cols: int, lengths: list[int]) -> np.ndarray:
    """Shared lengths of a rows × cols lattice of units (4-neighbours)."""
    n = rows * cols
    mat = np.zeros((n, n))
    it = iter(itertools.cycle(lengths))
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            for j in ([i + 1] if c + 1 < cols else []) + ([i + cols] if r + 1 < rows else []):
                mat[i, j] = mat[j, i] = next(it)
    return mat


def restricted_growth(n: int, k: int) -> Iterator[list[int]]:
    """Every partition of n units into exactly k labelled-by-first-unit groups."""
    def go(prefix: list[int], used: int) -> Iterator[list[int]]:
        if len(prefix) == n:
            if used == k:
                yield list(prefix)
            return
        for d in range(min(used + 1, k)):
            yield from go([*prefix, d], max(used, d + 1))
    yield from go([0], 1)


def connected(units: list[int], mat: np.ndarray) -> bool:
    seen, stack = {units[0]}, [units[0]]
    members = set(units)
    while stack:
        i = stack.pop()
        for j in np.flatnonzero(mat[i]):
            if int(j) in members and int(j) not in seen:
                seen.add(int(j))
                stack.append(int(j))
    return seen == members


def brute(h: list[int], mat: np.ndarray, lo: int, hi: int, k: int) -> tuple[float, float]:
    """(least objective, its households outside the range) over all connected k-plans."""
    best = (math.inf, math.inf)
    for a in restricted_growth(len(h), k):
        groups = [[i for i in range(len(h)) if a[i] == d] for d in range(k)]
        if not all(connected(g, mat) for g in groups):
            continue
        sums = [sum(h[i] for i in g) for g in groups]
        outside = sum(max(0, lo - s) + max(0, s - hi) for s in sums)
        cut = sum(mat[i, j] for i in range(len(h)) for j in range(i + 1, len(h))
                  if mat[i, j] and a[i] != a[j])
        excess = max(0, max(sums) - MAX_RATIO * min(sums))
        value = BIG * outside + RATIO * excess + cut + LAMBDA * (max(sums) - min(sums))
        best = min(best, (value, outside))
    return best


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(2, 2), (2, 3), (3, 2), (2, 4), (3, 3)]),
       st.lists(st.integers(0, 9), min_size=9, max_size=9),
       st.lists(st.integers(1, 5), min_size=12, max_size=12),
       st.integers(1, 12), st.integers(0, 12), st.integers(1, 4))
@example((2, 2), [0] * 9, [1] * 12, 1, 0, 2)  # empty cells: the shortfall exceeds the total
def test_it_matches_a_brute_force_on_small_lattices(shape: tuple[int, int], hh: list[int],
                                                    lengths: list[int], lo: int,
                                                    width: int, k: int) -> None:
    rows, cols = shape
    n = rows * cols
    h, mat, hi = hh[:n], lattice(rows, cols, lengths), lo + width
    solver = GridDistricting.from_adjacency_matrix(h, mat, lo, hi)
    plan = solver.solve_count(list(range(n)), k, time_limit=20)
    expected, outside = brute(h, mat, lo, hi, k)
    assert plan.status == "optimal"
    assert plan.value == pytest.approx(expected) and plan.outside == outside
    # The plan itself: k connected grids, scored as it says.
    assert sorted(set(plan.local)) == list(range(k))
    for d in range(k):
        assert connected([i for i in range(n) if plan.local[i] == d], mat)
    assert solver.objective(list(range(n)), plan.local, k) == (plan.value, plan.outside)


def test_it_proves_when_no_count_keeps_every_grid_in_range() -> None:
    # 80 | 160 | 80 in a row: 320 households, 150–200 per grid allows exactly 2 grids; the
    # two ends together (160 + 160) would fit but do not touch, so every connected plan
    # leaves 70 under the floor and 40 over the ceiling.
    mat = lattice(1, 3, [10])
    plan = GridDistricting([80, 160, 80], mat, 150, 200).solve()
    assert plan.k == 2 and plan.outside == 110 and plan.status == "optimal"
    said = " ".join(r.render(lambda s: s) for r in plan.reasons)
    assert "已证明" in said and "110" in said
    # No count at all fits 270 households into 150–200: said with the numbers.
    none = GridDistricting([90, 90, 90], mat, 150, 200).solve()
    assert "270" in " ".join(r.render(lambda s: s) for r in none.reasons)
    # Widen the range and every grid fits: no reasons.
    fits = GridDistricting([80, 160, 80], mat, 80, 250).solve()
    assert fits.outside == 0 and fits.reasons == []


def test_it_says_which_unit_is_too_big() -> None:
    mat = lattice(1, 3, [10])
    plan = GridDistricting([100, 612, 80], mat, 150, 500, labels=["a", "翡翠湾", "c"]).solve()
    assert plan.outside > 0
    said = " ".join(r.render(lambda s: s) for r in plan.reasons)
    assert "翡翠湾" in said and "612" in said and "500" in said


def test_it_leaves_a_part_without_households_detached() -> None:
    mat = lattice(2, 2, [10])
    mat[3, :] = mat[:, 3] = 0  # unit 3 cut off (a park across a river)
    plan = GridDistricting([200, 200, 200, 0], mat, 150, 500).solve()
    assert plan.detached == [3] and plan.assignment[3] == -1
    assert sorted(plan.households) == [200, 400] and plan.status == "optimal"
    assert plan.cut_length == 10


def test_it_balances_the_grids_within_twice_and_says_when_it_cannot() -> None:
    # 160 | 300 | 160 | 300 in a row, about 3 grids wanted: every 3-grid plan puts 460
    # beside 160 (2.9 times); 2 grids of 460 balance, so they are chosen.
    mat = lattice(1, 4, [10])
    plan = GridDistricting([160, 300, 160, 300], mat, 150, 500).solve(target=300)
    assert sorted(plan.households) == [460, 460] and plan.reasons == []
    # 110 | 580 | 110, 3 or 2 grids tried: no plan keeps the largest within twice the
    # smallest; it says so, with the numbers.
    lop = GridDistricting([110, 580, 110], lattice(1, 3, [10]), 100, 1000).solve(target=300)
    assert lop.unbalanced > 0 and lop.outside == 0
    said = " ".join(r.render(lambda s: s) for r in lop.reasons)
    assert "已证明" in said and "580" in said and "110" in said
