"""GCJ-02 and BD-09 inverses round-trip within 0.05 m; no offset outside China."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geo.analysis.chinacoords import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")
lons = st.floats(min_value=73.0, max_value=135.0)
lats = st.floats(min_value=18.0, max_value=53.0)


@settings(max_examples=300, deadline=None)
@given(lon=lons, lat=lats)
def test_it_gcj02_inverse_round_trips_within_5_cm(lon: float, lat: float) -> None:
    g = wgs84_to_gcj02(lon, lat)
    w = gcj02_to_wgs84(*g)
    back = wgs84_to_gcj02(*w)
    _, _, err = GEOD.inv(float(back[0]), float(back[1]), float(g[0]), float(g[1]))
    assert err < 0.05
    _, _, to_truth = GEOD.inv(float(w[0]), float(w[1]), lon, lat)
    assert to_truth < 0.05


@settings(max_examples=300, deadline=None)
@given(lon=lons, lat=lats)
def test_it_bd09_inverse_round_trips_within_5_cm(lon: float, lat: float) -> None:
    b = wgs84_to_bd09(lon, lat)
    w = bd09_to_wgs84(*b)
    _, _, to_truth = GEOD.inv(float(w[0]), float(w[1]), lon, lat)
    assert to_truth < 0.05


def test_it_offsets_hundreds_of_metres_in_china_and_none_outside() -> None:
    g = wgs84_to_gcj02(104.07, 30.66)
    _, _, shift = GEOD.inv(104.07, 30.66, float(g[0]), float(g[1]))
    assert 100 < shift < 1000
    lon, lat = wgs84_to_gcj02(np.array([2.35, -74.0]), np.array([48.85, 40.7]))
    assert lon.tolist() == [2.35, -74.0] and lat.tolist() == [48.85, 40.7]


def test_it_beats_the_one_step_inverse() -> None:
    lon, lat = 104.07, 30.66
    g = wgs84_to_gcj02(lon, lat)
    d = wgs84_to_gcj02(*g)
    one_step = (2 * g[0] - d[0], 2 * g[1] - d[1])
    _, _, naive = GEOD.inv(float(one_step[0]), float(one_step[1]), lon, lat)
    w = gcj02_to_wgs84(*g)
    _, _, exact = GEOD.inv(float(w[0]), float(w[1]), lon, lat)
    assert naive > 0.1 > 0.05 > exact
