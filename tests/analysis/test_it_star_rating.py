"""The 532 star rating: points from measures or scores, stars, colours, the weak list's size
⌈5%⌉ of communities and ⌈10%⌉ of villages with ties kept together."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.stars import (
    StarProfileError,
    load_star_profile,
    star_points,
    weak_count,
    weak_list,
)

P = load_star_profile()
NAN = float("nan")


def _scored(rows: int, value: float = NAN) -> np.ndarray:
    return np.full((rows, 10), value)


def test_it_turns_measures_into_points_against_their_targets() -> None:
    measures = {"staffing": [1.0, 0.5], "facility_ratio": [45.0, 15.0],
                "reach_share": [0.9, 0.45], "duties_share": [0.8, 0.0],
                "pairing_units": [3, 1], "events_on_time": [NAN, 0.45],
                "wishes_fulfilled": [NAN, NAN]}
    out = star_points(measures, _scored(2), P)
    col = {k: j for j, k in enumerate(P.keys)}
    first, second = out.points
    assert first[col["position"]] == 10 and second[col["position"]] == 5  # 45/30 capped; 15/30
    assert second[col["organisation"]] == 5 and second[col["cobuilding"]] == 5
    # No event at all: the grid star takes its missing_points (10); no wish data: 0.
    assert first[col["grid"]] == 10 and out.source[0, col["grid"]] == "missing"
    assert first[col["livelihood"]] == 0
    assert out.stars[0] == 6 and out.total[0] == pytest.approx(60)  # 5 common + grid
    assert out.colour == ["red", None]


def test_it_uses_a_score_where_nothing_is_measured() -> None:
    scored = _scored(1)
    col = {k: j for j, k in enumerate(P.keys)}
    scored[0, col["safety"]] = 9
    scored[0, col["livelihood"]] = 7.5  # no measure value: the evaluator's points count
    scored[0, col["position"]] = 1  # measured: the data wins over the score
    out = star_points({"facility_ratio": [30.0]}, scored, P)
    assert out.points[0, col["safety"]] == 9 and out.source[0, col["safety"]] == "scored"
    assert out.points[0, col["livelihood"]] == 7.5
    assert out.points[0, col["position"]] == 10 and out.source[0, col["position"]] == "measured"
    assert out.earned[0, col["safety"]] and not out.earned[0, col["livelihood"]]


@pytest.mark.parametrize(("stars", "colour"), [(10, "gold"), (9, "gold"), (8, "silver"),
                                               (7, "silver"), (6, "red"), (5, "red"),
                                               (4, None), (0, None)])
def test_it_colours_by_the_stars_earned(stars: int, colour: str | None) -> None:
    scored = _scored(1, 0.0)
    scored[0, :stars] = 8  # exactly award_at earns the star
    out = star_points({m: [NAN] for m in ("staffing", "facility_ratio", "reach_share",
                                          "duties_share", "pairing_units",
                                          "events_on_time", "wishes_fulfilled")},
                      scored, P)
    assert out.stars[0] == stars and out.colour == [colour]


def test_it_refuses_scores_outside_0_to_10() -> None:
    with pytest.raises(ValueError, match="0, 10"):
        star_points({}, _scored(1, 11), P)
    with pytest.raises(ValueError, match=r"\(C, 10\)"):
        star_points({}, np.zeros((1, 9)), P)


@pytest.mark.parametrize(("n", "share", "expected"), [(0, 0.05, 0), (1, 0.05, 1), (20, 0.05, 1),
                                                      (21, 0.05, 2), (40, 0.05, 2),
                                                      (41, 0.05, 3), (10, 0.10, 1),
                                                      (11, 0.10, 2), (100, 0.10, 10)])
def test_it_lists_at_least_the_share_rounded_up(n: int, share: float, expected: int) -> None:
    assert weak_count(n, share) == expected


def test_it_keeps_ties_together_and_counts_villages_apart() -> None:
    codes = [f"c{i:02d}" for i in range(21)] + [f"v{i:02d}" for i in range(11)]
    total = [50.0] * 21 + [60.0] * 11
    stars = [5] * 32
    village = [False] * 21 + [True] * 11
    total[3], total[7] = 10.0, 20.0  # communities: ⌈5% × 21⌉ = 2 → c03, c07
    total[21 + 4] = 30.0  # villages: ⌈10% × 11⌉ = 2 → v04 and then the lowest of the rest
    total[21 + 9] = 40.0
    picked = [codes[i] for i in weak_list(total, stars, codes, village, P)]
    assert picked == ["c03", "c07", "v04", "v09"]
    # A tie at the boundary (total and stars) takes every tied community.
    total[11] = 20.0
    picked = [codes[i] for i in weak_list(total, stars, codes, village, P)]
    assert picked == ["c03", "c07", "c11", "v04", "v09"]
    # Equal totals, fewer stars is weaker: c11 alone stays within the two.
    stars[11] = 4
    picked = [codes[i] for i in weak_list(total, stars, codes, village, P)]
    assert picked == ["c03", "c11", "v04", "v09"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), min_size=1,
                max_size=40))
def test_it_picks_what_sorting_by_hand_picks(rows: list[tuple[int, int, bool]]) -> None:
    codes = [f"{i:03d}" for i in range(len(rows))]
    total = [float(r[0]) for r in rows]
    stars = [r[1] for r in rows]
    village = [r[2] for r in rows]
    picked = set(weak_list(total, stars, codes, village, P))
    for is_village, share in ((False, 0.05), (True, 0.10)):
        group = sorted((i for i in range(len(rows)) if village[i] == is_village),
                       key=lambda i: (total[i], stars[i], codes[i]))
        if not group:
            continue
        take = weak_count(len(group), share)
        cut = (total[group[take - 1]], stars[group[take - 1]])
        expected = {i for i in group if (total[i], stars[i]) <= cut}
        assert {i for i in picked if village[i] == is_village} == expected
        assert len(expected) >= take


def test_it_checks_the_profile(tmp_path: Path) -> None:
    raw = json.loads(Path("geo/analysis/profiles/stars-532.json").read_text("utf-8"))
    path = tmp_path / "bad.json"
    for change in ({"stars": raw["stars"][:9]}, {"award_at": 11},
                   {"stars": [{**raw["stars"][0], "measure": "vibes"}, *raw["stars"][1:]]},
                   {"stars": [{**raw["stars"][0], "group": "duty"}, *raw["stars"][1:]]}):
        path.write_text(json.dumps({**raw, **change}), "utf-8")
        with pytest.raises(StarProfileError):
            load_star_profile(str(path))
