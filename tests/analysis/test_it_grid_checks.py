"""Tiling measure on hand-made squares with known areas."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon, box

from geo.analysis.grid_checks import tiling_report

# About 100 m x 100 m near Chengdu: 0.001° lon ≈ 95.9 m, 0.0009° lat ≈ 99.5 m at 30.6° N.
LON, LAT, DX, DY = 104.06, 30.6, 0.001, 0.0009


def _cell(i: float, j: float, w: float = 1, h: float = 1) -> Polygon:
    return box(LON + i * DX, LAT + j * DY, LON + (i + w) * DX, LAT + (j + h) * DY)


def test_it_finds_an_exact_tiling() -> None:
    rep = tiling_report(_cell(0, 0, 2, 1), [_cell(0, 0), _cell(1, 0)])
    assert rep.tiles()
    assert rep.community_m2 == pytest.approx(2 * 95.9 * 99.5, rel=0.01)


def test_it_measures_gap_overlap_and_overhang() -> None:
    community = _cell(0, 0, 2, 1)
    half = box(LON, LAT, LON + 0.5 * DX, LAT + DY)
    grids = [_cell(0, 0), half, _cell(1.5, 0, 1, 1)]  # overlap 0.5, gap 0.5, overhang 0.5
    rep = tiling_report(community, grids)
    one = rep.community_m2 / 2
    assert rep.overlap_m2 == pytest.approx(0.5 * one, rel=1e-3)
    assert rep.gap_m2 == pytest.approx(0.5 * one, rel=1e-3)
    assert rep.overhang_m2 == pytest.approx(0.5 * one, rel=1e-3)
    assert not rep.tiles()


def test_it_holds_only_residential_grids_to_the_household_range() -> None:
    from geo.analysis.grid_checks import GridRecord, check_community_grids

    code = "510104001001"
    grids = [GridRecord(f"{code}001", _cell(0, 0), 300),
             GridRecord(f"{code}002", _cell(1, 0), 0, "road_traffic"),
             GridRecord(f"{code}003", _cell(2, 0), 20, "production"),
             GridRecord(f"{code}004", _cell(3, 0), 20)]
    found = check_community_grids(code, _cell(0, 0, 4, 1), grids, (150, 500))
    assert [(f.kind, f.codes) for f in found] == [("households", (f"{code}004",))]
