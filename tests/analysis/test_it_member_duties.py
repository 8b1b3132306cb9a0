"""五个一: each member's duties counted by distinct day against the profile, and per community."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.duties import community_duties, duty_completion
from geo.analysis.rules import DUTY_KINDS, ProfileError, load_profile


def test_it_counts_a_duty_once_per_day_and_caps_what_is_done() -> None:
    # Member 0: two meetings on one day (one day), a talk, a survey, a wish, volunteering on
    # two days. Member 1: only a meeting. Member 2: nothing.
    member = [0, 0, 0, 0, 0, 0, 0, 1]
    kind = [0, 0, 1, 2, 3, 4, 4, 0]
    day = [10, 10, 11, 12, 13, 14, 15, 10]
    out = duty_completion(member, kind, day, 3, [1, 1, 1, 1, 2])
    assert out.counts.tolist() == [[1, 1, 1, 1, 2], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    assert out.complete.tolist() == [True, False, False]
    assert out.progress.tolist() == pytest.approx([1.0, 1 / 6, 0.0])
    assert out.missing.tolist() == [[0, 0, 0, 0, 0], [0, 1, 1, 1, 2], [1, 1, 1, 1, 2]]
    # One volunteering day short of two: 5 of 6 owed.
    short = duty_completion([0] * 5, [0, 1, 2, 3, 4], [1, 2, 3, 4, 5], 1, [1, 1, 1, 1, 2])
    assert not short.complete[0] and short.progress[0] == pytest.approx(5 / 6)
    # Three meetings owe nothing more than one: done is capped.
    extra = duty_completion([0, 0, 0], [0, 0, 0], [1, 2, 3], 1, [1, 0, 0, 0, 0])
    assert extra.counts[0, 0] == 3 and extra.done[0, 0] == 1 and extra.complete[0]


def test_it_treats_a_profile_that_owes_nothing_as_done() -> None:
    out = duty_completion([], [], [], 2, [0, 0])
    assert out.complete.tolist() == [True, True] and out.progress.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(("member", "kind", "day", "n", "required", "message"), [
    ([0], [5], [1], 1, [1] * 5, "duty indices"),
    ([2], [0], [1], 2, [1] * 5, "member indices"),
    ([-1], [0], [1], 2, [1] * 5, "member indices"),
    ([0, 1], [0], [1], 2, [1] * 5, "one length"),
    ([0], [0], [1], 1, [1, -1], "negative"),
])
def test_it_refuses_inputs_it_cannot_count(member: list[int], kind: list[int], day: list[int],
                                           n: int, required: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        duty_completion(member, kind, day, n, required)


def test_it_rolls_members_up_to_their_communities() -> None:
    out = community_duties([0, 0, 0, 2, -1], [True, False, True, False, True], 4)
    assert out.members.tolist() == [3, 0, 1, 0]
    assert out.complete.tolist() == [2, 0, 0, 0]
    assert out.share[0] == pytest.approx(2 / 3) and out.share[2] == 0.0
    assert np.isnan(out.share[1]) and np.isnan(out.share[3])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_it_agrees_with_counting_by_hand(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 6))
    k = data.draw(st.integers(1, 5))
    required = data.draw(st.lists(st.integers(0, 3), min_size=k, max_size=k))
    acts = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, k - 1),
                                        st.integers(0, 6)), max_size=40))
    out = duty_completion([a[0] for a in acts], [a[1] for a in acts], [a[2] for a in acts],
                          n, required)
    for i in range(n):
        days = [len({d for m, kk, d in acts if m == i and kk == j}) for j in range(k)]
        assert out.counts[i].tolist() == days
        assert bool(out.complete[i]) == all(c >= r for c, r in zip(days, required, strict=True))
        owed = sum(required)
        done = sum(min(c, r) for c, r in zip(days, required, strict=True))
        assert out.progress[i] == pytest.approx(done / owed if owed else 1.0)


def test_it_reads_the_duties_from_the_profile(tmp_path: Path) -> None:
    assert load_profile().member_duties == tuple((k, 1) for k in DUTY_KINDS)
    raw = json.loads(Path("geo/analysis/profiles/national-2022.json").read_text("utf-8"))
    raw["member_duties"] = {"meeting": 4, "volunteer": 2}
    path = tmp_path / "four-meetings.json"
    path.write_text(json.dumps(raw), "utf-8")
    assert load_profile(str(path)).member_duties == (("meeting", 4), ("volunteer", 2))
    for bad in ({"parade": 1}, {"meeting": -1}, {"meeting": 0}, [1, 1]):
        raw["member_duties"] = bad
        path.write_text(json.dumps(raw), "utf-8")
        with pytest.raises(ProfileError):
            load_profile(str(path))
