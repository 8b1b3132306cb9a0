"""lowest_covering: the lowest-coded area covering each point, as a brute force over every
area says — points inside, on an edge two areas share, on a corner four share, outside."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.coverage import lowest_covering


def brute(xy: np.ndarray, areas: list[shapely.Geometry], codes: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for x, y in xy:
        p = shapely.Point(x, y)
        hits = [c for a, c in zip(areas, codes, strict=True) if a.covers(p)]
        out.append(min(hits) if hits else None)
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 5))
def test_it_matches_a_brute_force_on_lattices(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    # An n × n lattice of unit squares with shuffled codes, some left out (holes).
    cells = [(i, j) for i in range(n) for j in range(n) if rng.random() > 0.2]
    areas = [shapely.box(i, j, i + 1, j + 1) for i, j in cells]
    codes = [f"{k:03d}" for k in rng.permutation(len(cells))]
    # Points on lattice lines and corners (shared edges), inside cells, and outside.
    on_grid = rng.integers(-1, n + 2, size=(30, 2)).astype(float)
    halves = rng.integers(-2, 2 * n + 3, size=(30, 2)) / 2.0
    loose = rng.uniform(-1, n + 1, size=(30, 2))
    xy = np.vstack([on_grid, halves, loose])
    assert lowest_covering(xy, areas, codes) == brute(xy, areas, codes)


def test_it_says_none_with_no_areas_or_points() -> None:
    assert lowest_covering(np.array([[0.5, 0.5]]), [], []) == [None]
    assert lowest_covering(np.zeros((0, 2)), [shapely.box(0, 0, 1, 1)], ["001"]) == []
