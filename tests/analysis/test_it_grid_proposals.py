"""Grid proposals on synthetic communities: exact tiling, connected grids, roads as edges."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from geo.analysis.blocks import Site, block_units, grid_kinds, propose_grids
from geo.analysis.grid_checks import tiling_report
from geo.analysis.projection import local_equal_area

CRS = local_equal_area(104.07, 30.67)
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform


def lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, TO_LONLAT, interleaved=False)


def town(xs: list[float], ys: list[float], seed: int, per_block: int,
         size: float = 600.0) -> tuple[shapely.Geometry, list[shapely.Geometry],
                                       list[shapely.Geometry], list[float]]:
    """A square community cut by roads at ``xs`` and ``ys`` (metres), buildings in blocks."""
    rng = np.random.default_rng(seed)
    half = size / 2
    community = box(-half, -half, half, half)
    roads = [LineString([(x, -half - 50), (x, half + 50)]) for x in xs] + \
        [LineString([(-half - 50, y), (half + 50, y)]) for y in ys]
    pts, hh = [], []
    for _ in range(per_block * (len(xs) + 1) * (len(ys) + 1)):
        x, y = rng.uniform(-half + 5, half - 5, size=2)
        if min([abs(x - r) for r in xs] + [abs(y - r) for r in ys] + [99]) < 8:
            continue  # not on a road
        pts.append(Point(x, y))
        hh.append(float(rng.integers(10, 60)))
    return (lonlat(community), [lonlat(r) for r in roads], [lonlat(p) for p in pts], hh)


@settings(max_examples=12, deadline=None)
@given(st.lists(st.floats(-250, 250), min_size=1, max_size=3, unique=True),
       st.lists(st.floats(-250, 250), min_size=1, max_size=3, unique=True),
       st.integers(0, 10_000), st.integers(3, 12))
def test_it_tiles_the_community_along_its_roads(xs: list[float], ys: list[float], seed: int,
                                                per_block: int) -> None:
    community, roads, pts, hh = town(sorted(xs), sorted(ys), seed, per_block)
    result = propose_grids(Site(community, roads, pts, hh), lo=150, hi=500, time_limit=5)
    report = tiling_report(community, result.grids)
    assert report.gap_m2 <= 1.0 and report.overlap_m2 <= 1.0 and report.overhang_m2 <= 1.0
    # Every household counted once, in the grid that holds its building.
    assert sum(result.households) == sum(hh)
    for grid, count in zip(result.grids, result.households, strict=True):
        assert shapely.union_all(grid).is_valid
        held = sum(h for p, h in zip(pts, hh, strict=True) if grid.covers(p))
        assert held == count
    # Grids are connected: their parts touch one another.
    for grid in result.grids:
        merged = shapely.union_all([g.buffer(1e-9) for g in grid.geoms])
        assert merged.geom_type == "Polygon"
    # In range when the solver says every grid fits.
    if result.proposal.outside == 0:
        assert all(150 <= h <= 500 for h in result.households)
    # Inner boundaries lie on roads (the community's own boundary excepted), unless a block
    # held more than a grid may, or whole blocks could not make a plan in range and
    # balanced, and a block was cut between its buildings.
    whole = block_units(community, roads, pts, hh, hi=1e12)
    if max(whole.households) > 500 or result.split_blocks:
        return
    edge = shapely.union_all([g.boundary for g in result.grids]).difference(
        community.boundary.buffer(1e-6))
    on_road = shapely.union_all(roads).buffer(1e-6)
    assert edge.difference(on_road).length < 1e-6


def test_it_splits_a_block_too_big_for_one_grid_between_its_buildings() -> None:
    community, roads, pts, hh = town([0.0], [0.0], seed=3, per_block=40)
    units = block_units(community, roads, pts, hh, hi=500)
    assert max(units.households) <= 500
    assert len(units.shapes) > 4  # the four blocks, each split
    assert abs(sum(units.households) - sum(hh)) < 1e-6


def test_it_splits_a_block_below_the_ceiling_only_to_balance_the_grids() -> None:
    # One road, two blocks: 480 households west, 200 east. Whole blocks make 480 | 200
    # (2.4 times); splitting the west block between its buildings balances the grids.
    community = lonlat(box(-200, -100, 200, 100))
    road = [lonlat(LineString([(0, -150), (0, 150)]))]
    west = [lonlat(Point(x, y)) for x in (-150, -50) for y in (-50, 0, 50)]
    east = [lonlat(Point(100, y)) for y in (-50, 0, 50)]
    hh = [80.0] * 6 + [200 / 3] * 3
    result = propose_grids(Site(community, road, west + east, hh), lo=150, hi=500)
    assert result.split_blocks
    assert max(result.households) <= 2 * min(result.households)
    assert all(150 <= h <= 500 for h in result.households)
    assert sum(result.households) == pytest.approx(680) and result.proposal.reasons == []
    # Blocks that balance whole stay whole.
    even = [80.0] * 6 + [160.0] * 3
    kept = propose_grids(Site(community, road, west + east, even), lo=150, hi=500)
    assert not kept.split_blocks and sorted(kept.households) == [480, 480]


def test_it_makes_a_station_where_no_one_lives_a_transport_grid_of_its_own() -> None:
    # One road: a station yard west (2 ha, no households), 300 households east.
    community = lonlat(box(-100, -100, 100, 100))
    road = [lonlat(LineString([(0, -150), (0, 150)]))]
    homes = [lonlat(Point(50, y)) for y in (-50, 0, 50)]
    station = [lonlat(box(-100, -100, 0, 100))]
    site = Site(community, road, homes, [100.0] * 3, transport_land=station)
    result = propose_grids(site, lo=150, hi=500)
    assert sorted(zip(result.kinds, result.households, strict=True)) == [("residential", 300),
                                                            ("road_traffic", 0)]
    assert tiling_report(community, result.grids).gap_m2 <= 1.0
    # A kiosk-sized station (under a hectare) is no grid of its own: one grid.
    small = Site(lonlat(box(-40, -100, 100, 100)), road, homes, [100.0] * 3,
                 transport_land=[lonlat(box(-40, -100, 0, 100))])
    assert propose_grids(small, lo=150, hi=500).kinds == ["residential"]
    # Without zone land the empty block joins the homes, as before.
    plain = propose_grids(Site(community, road, homes, [100.0] * 3), lo=150, hi=500)
    assert plain.kinds == ["residential"] and plain.households == [300]


def test_it_calls_a_grid_on_work_land_with_few_households_a_work_grid() -> None:
    shop = lonlat(box(0, 0, 100, 100))
    homes = lonlat(box(100, 0, 200, 100))
    mixed = lonlat(box(0, 100, 200, 200))
    work_land = [lonlat(box(0, 0, 100, 150))]  # the shops and a quarter of the mixed grid
    kinds = grid_kinds([shop, homes, mixed], [20, 300, 40], work_land, lo=150)
    assert kinds == ["production", "residential", "residential"]
    # Work land, but households enough for a grid of its own: still residential.
    assert grid_kinds([shop], [160], work_land, lo=150) == ["residential"]
    assert grid_kinds([], [], work_land, lo=150) == []
