"""Grid proposals from block units: exact on small graphs (against a brute force), with reasons."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.districting import LAMBDA, GridDistricting, Infeasible


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


def brute(h: list[int], mat: np.ndarray, lo: int, hi: int, k: int) -> float | None:
    best = None
    for a in restricted_growth(len(h), k):
        groups = [[i for i in range(len(h)) if a[i] == d] for d in range(k)]
        sums = [sum(h[i] for i in g) for g in groups]
        if not all(lo <= s <= hi for s in sums) or not all(connected(g, mat) for g in groups):
            continue
        cut = sum(mat[i, j] for i in range(len(h)) for j in range(i + 1, len(h))
                  if mat[i, j] and a[i] != a[j])
        value = cut + LAMBDA * (max(sums) - min(sums))
        best = value if best is None else min(best, value)
    return best


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(2, 2), (2, 3), (3, 2), (2, 4), (3, 3)]),
       st.lists(st.integers(0, 9), min_size=9, max_size=9),
       st.lists(st.integers(1, 5), min_size=12, max_size=12),
       st.integers(1, 12), st.integers(0, 12))
def test_it_matches_a_brute_force_on_small_lattices(shape: tuple[int, int], hh: list[int],
                                                    lengths: list[int], lo: int,
                                                    width: int) -> None:
    rows, cols = shape
    n = rows * cols
    h, mat, hi = hh[:n], lattice(rows, cols, lengths), lo + width
    solver = GridDistricting.from_adjacency_matrix(h, mat, lo, hi)
    try:
        ks = solver.grid_counts()
    except Infeasible:
        # The stated reason holds: a unit over the top, or no count of grids fits.
        total = sum(h)
        assert max(h) > hi or math.ceil(total / hi) > math.floor(total / lo)
        return
    if ks == [0]:
        return
    expected = brute(h, mat, lo, hi, ks[0])
    try:
        plan = solver.solve(time_limit=20)
    except Infeasible as exc:
        assert exc.code == "no_connected_plan"
        assert expected is None
        return
    assert expected is not None and plan.status == "optimal"
    assert plan.cut_length + LAMBDA * plan.spread == pytest.approx(expected)
    # The plan itself: every grid connected and in range.
    for d in range(plan.k):
        units = [i for i in range(n) if plan.assignment[i] == d]
        assert connected(units, mat) and lo <= sum(h[i] for i in units) <= hi


def test_it_says_which_unit_is_too_big() -> None:
    mat = lattice(1, 3, [10])
    with pytest.raises(Infeasible) as err:
        GridDistricting([100, 612, 80], mat, 150, 500, labels=["a", "翡翠湾", "c"]).solve()
    assert err.value.code == "unit_too_big"
    said = err.value.message.render(lambda s: s)
    assert "翡翠湾" in said and "612" in said and "500" in said


def test_it_leaves_a_part_without_households_detached() -> None:
    mat = lattice(2, 2, [10])
    mat[3, :] = mat[:, 3] = 0  # unit 3 cut off (a park across a river)
    plan = GridDistricting([200, 200, 200, 0], mat, 150, 500).solve()
    assert plan.detached == [3] and plan.assignment[3] == -1
    assert sorted(plan.households) == [200, 400] and plan.status == "optimal"
    assert plan.cut_length == 10
