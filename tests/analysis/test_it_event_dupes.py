"""Likely duplicates: groups of close reports, against a brute-force flood fill."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.event_dupes import brute_groups, duplicate_groups

EVENTS = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.floats(0, 300), st.floats(0, 300),
                            st.floats(0, 3 * 86400)), min_size=0, max_size=30)


@settings(max_examples=150, deadline=None)
@given(raw=EVENTS)
def test_it_groups_close_reports_as_a_flood_fill_does(raw: list[tuple[str, float, float,
                                                                     float]]) -> None:
    events = [(i + 1, c, x, y, t) for i, (c, x, y, t) in enumerate(raw)]
    metres, hours = 50.0, 24.0
    pairs = [(a[0], b[0]) for i, a in enumerate(events) for b in events[i + 1:]
             if a[1] == b[1] and abs(a[4] - b[4]) <= hours * 3600
             and (a[2] - b[2]) ** 2 + (a[3] - b[3]) ** 2 <= metres ** 2]
    reported = {e[0]: e[4] for e in events}
    assert duplicate_groups(pairs, reported) == brute_groups(events, metres, hours)


def test_it_keeps_the_earliest_report_of_a_chain() -> None:
    # 1–2 and 2–3 are close, 1–3 is not: one problem along a street, kept as report 3
    # (the earliest).
    groups = duplicate_groups([(1, 2), (2, 3)], {1: 30.0, 2: 20.0, 3: 10.0, 4: 0.0})
    assert groups == [[3, 2, 1]]
