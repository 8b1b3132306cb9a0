"""Answers within a sane radius (issue 16, "interoperability" items on nearest and pairing).

From Shanghai the finder answered a Chengdu center "on foot" (1,647 km, 27,455 minutes);
pair_units without a scope paired units 1,383 km away. Beyond the snap distance a walk
is not measured: the answer is straight-line, said so, and nothing beyond the profile's
service radius is offered; pairing keeps to the profile's distance unless told otherwise.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from geo.analysis.rules import load_profile
from geo.services.nearest import nearest_centers
from geo.services.pairing import build_problem

pytestmark = pytest.mark.django_db


def test_it_refuses_to_answer_from_another_city(demo_db: None) -> None:
    answer = Client().get("/api/v1/centers/nearest",
                          {"lon": 121.47, "lat": 31.23, "k": 3}).json()  # Shanghai
    codes = {n["code"] for n in answer["notices"]}
    assert answer["centers"] == []
    assert {"far_from_network", "outside_service_area"} <= codes
    message = next(n["message"] for n in answer["notices"]
                   if n["code"] == "outside_service_area")
    assert "1,6" in message and "公里" in message  # about 1,650 km, said as such
    # One language per request: English asked, English answered, and no Chinese.
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        "/api/v1/centers/nearest", {"lon": 121.47, "lat": 31.23, "k": 3}).json()
    texts = [n["message"] for n in english["notices"]]
    assert any("km away, beyond the" in t for t in texts)
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), texts
    assert not any(re.search(r"[A-Za-z]{3,}", n["message"]) for n in answer["notices"])


def test_it_measures_straight_lines_when_no_road_is_near(demo_db: None) -> None:
    profile = load_profile(None)
    answer = nearest_centers(104.30, 30.70, 3, "walk", "wgs84", profile)
    assert answer["query"]["measured"] == "straight"
    assert "far_from_network" in {n["code"] for n in answer["notices"]}
    assert answer["centers"] and all(c["route"] is None for c in answer["centers"])
    assert all(c["distance_m"] <= profile.service_radius_m for c in answer["centers"])
    near = nearest_centers(104.16, 30.59, 3, "walk", "wgs84", profile)
    assert near["query"]["measured"] == "walk" and near["centers"][0]["route"] is not None


def test_it_pairs_within_the_profiles_distance_by_default(demo_db: None) -> None:
    profile = load_profile(None)
    inputs = build_problem("", "straight", profile, None, "auto", None)
    default = inputs.problem
    wide = build_problem("", "straight", profile, None, "auto", 10_000_000).problem
    assert profile.pairing_max_distance_m == 20_000
    assert default.max_distance == profile.pairing_max_distance_m
    assert wide.max_distance == 10_000_000
