"""Split, merge, carve and household counts on seeded geometries (Django-free algorithms)."""

from __future__ import annotations

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from geo.analysis.grid_edit import (
    GridEditError,
    areas_m2,
    carve_new_grid,
    households_by_area,
    households_by_grid,
    merge_grids,
    split_grid,
)

X0, Y0, D = 104.10, 30.60, 0.004


@settings(max_examples=60, deadline=None)
@given(st.floats(0.1, 0.9), st.floats(0.1, 0.9), st.floats(-0.5, 0.5))
def test_it_splits_without_losing_or_doubling_area(fy0: float, fy1: float, bend: float) -> None:
    grid = box(X0, Y0, X0 + D, Y0 + D)
    line = LineString([(X0 - D, Y0 + fy0 * D), (X0 + D / 2, Y0 + (fy0 + fy1) / 2 * D + bend * 1e-4),
                       (X0 + 2 * D, Y0 + fy1 * D)])
    pieces = split_grid(grid, line)
    assert len(pieces) == 2
    assert sum(areas_m2(pieces)) == pytest.approx(areas_m2([grid])[0], rel=1e-9)
    assert areas_m2([pieces[0].intersection(pieces[1])])[0] < 1e-6
    assert areas_m2([pieces[0]])[0] >= areas_m2([pieces[1]])[0]


def test_it_refuses_a_line_that_does_not_cross() -> None:
    grid = box(X0, Y0, X0 + D, Y0 + D)
    with pytest.raises(GridEditError) as err:
        split_grid(grid, LineString([(X0 - D, Y0 + D / 2), (X0 + D / 2, Y0 + D / 2)]))
    assert err.value.code == "line_does_not_cut"
    with pytest.raises(GridEditError) as err:
        split_grid(grid, LineString([(X0 + 2 * D, Y0), (X0 + 3 * D, Y0)]))
    assert err.value.code == "line_misses_grid"


def test_it_merges_neighbours_only() -> None:
    a, b = box(X0, Y0, X0 + D, Y0 + D), box(X0 + D, Y0, X0 + 2 * D, Y0 + D)
    merged = merge_grids([a, b])
    assert len(merged.geoms) == 1
    assert areas_m2([merged])[0] == pytest.approx(sum(areas_m2([a, b])), rel=1e-9)
    corner = box(X0 + D, Y0 + D, X0 + 2 * D, Y0 + 2 * D)
    with pytest.raises(GridEditError) as err:
        merge_grids([a, corner])
    assert err.value.code == "not_adjacent"


def test_it_carves_a_new_grid_out_of_its_neighbours() -> None:
    comm = box(X0, Y0, X0 + 2 * D, Y0 + D)
    a, b = box(X0, Y0, X0 + D, Y0 + D), box(X0 + D, Y0, X0 + 2 * D, Y0 + D)
    drawn = box(X0 + D / 2, Y0 - D, X0 + 3 * D / 2, Y0 + 2 * D)  # spills outside the community
    out = carve_new_grid(drawn, comm, [a, b])
    parts = [out.grid, *[g for g in out.others if g is not None]]
    assert sum(areas_m2(parts)) == pytest.approx(areas_m2([comm])[0], rel=1e-9)
    assert shapely.union_all(parts).symmetric_difference(comm).area < 1e-14
    swallowed = carve_new_grid(comm, comm, [a, b])
    assert swallowed.others == [None, None]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 300)),
                min_size=1, max_size=40))
def test_it_counts_each_building_once(points: list[tuple[float, float, int]]) -> None:
    grids = [box(X0, Y0, X0 + D, Y0 + D), box(X0 + D, Y0, X0 + 2 * D, Y0 + D)]
    pts = [Point(X0 + fx * 2 * D, Y0 + fy * D) for fx, fy, _ in points]
    hh = [h for _, _, h in points]
    counts = households_by_grid(grids, pts, hh)
    # Brute force: the first grid covering each point.
    expect = [0, 0]
    for p, h in zip(pts, hh, strict=True):
        for k, g in enumerate(grids):
            if g.covers(p):
                expect[k] += h
                break
    assert counts == expect


def test_it_shares_households_by_area_and_keeps_the_total() -> None:
    old = [box(X0, Y0, X0 + D, Y0 + D)]
    new = [box(X0, Y0, X0 + D / 3, Y0 + D), box(X0 + D / 3, Y0, X0 + D, Y0 + D)]
    shares = households_by_area(new, old, [301])
    assert sum(shares) == 301 and shares in ([100, 201], [101, 200])
