"""The grid-event state machine: every action from every state by every actor; deadlines."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from geo.analysis.event_flow import (
    CLOCK,
    TRANSITIONS,
    Actor,
    FlowError,
    State,
    Step,
    allowed_actions,
    decide,
    due_at,
    is_overdue,
    load_categories,
)
from geo.analysis.workcal import load_calendar
from tests.analysis.test_it_workcal import brute_due

BJ = ZoneInfo("Asia/Shanghai")

# The flow as the standard describes it, written out independently of TRANSITIONS:
# (state, action) -> (next state, who may act).
S, W = {Actor.SUPERVISOR}, {Actor.WORKER, Actor.SUPERVISOR}
EXPECTED = {
    (State.REPORTED, "file"): (State.FILED, S),
    (State.REPORTED, "reject"): (State.REJECTED, S),
    (State.REPORTED, "merge"): (State.MERGED, S),
    (State.FILED, "merge"): (State.MERGED, S),
    (State.FILED, "dispatch"): (State.DISPATCHED, S),
    (State.DISPATCHED, "reassign"): (State.DISPATCHED, S),
    (State.HANDLING, "reassign"): (State.DISPATCHED, S),
    (State.DISPATCHED, "accept"): (State.HANDLING, W),
    (State.HANDLING, "report_back"): (State.HANDLED, W),
    (State.HANDLED, "verify"): (State.CLOSED, S),
    (State.HANDLED, "reopen"): (State.HANDLING, S),
    (State.CLOSED, "evaluate"): (State.EVALUATED, S),
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("actor", list(Actor))
def test_it_allows_exactly_the_flows_transitions(state: State, actor: Actor) -> None:
    for action in TRANSITIONS:
        expected = EXPECTED.get((state, action))
        if expected is not None and actor in expected[1]:
            assert decide(state, action, actor, note="说明") == expected[0], (state, action)
            assert action in allowed_actions(state, actor)
        else:
            with pytest.raises(FlowError) as refused:
                decide(state, action, actor, note="说明")
            assert refused.value.code in ("forbidden", "wrong_state")
            assert action not in allowed_actions(state, actor)


def test_it_asks_for_a_note_where_one_is_owed() -> None:
    with pytest.raises(FlowError) as refused:
        decide(State.HANDLED, "reopen", Actor.SUPERVISOR, note="  ")
    assert refused.value.code == "note_required"
    with pytest.raises(FlowError) as unknown:
        decide(State.FILED, "teleport", Actor.SUPERVISOR)
    assert unknown.value.code == "unknown_action"


def test_it_runs_a_clock_in_every_open_state() -> None:
    cal, cats = load_calendar("cn"), load_categories()
    entered = dt.datetime(2026, 3, 3, 11, 55, tzinfo=BJ)
    safety = cats["safety"]
    # An emergency is dispatched within 10 working minutes; lunch does not count.
    assert due_at(cal, safety, "emergency", State.FILED, entered) == dt.datetime(
        2026, 3, 3, 13, 35, tzinfo=BJ)
    assert due_at(cal, safety, "emergency", State.CLOSED, entered) is None
    assert set(CLOCK) == {s for s in State if allowed_actions(s, Actor.SUPERVISOR)} - {
        State.CLOSED}


def test_it_flags_no_wrong_overdue_in_1000_events() -> None:
    """Replay 1,000 events with known timings against a minute-by-minute deadline."""
    cal, cats = load_calendar("cn"), load_categories()
    rng = random.Random(20)
    wrong = 0
    for _ in range(1000):
        cat = cats[rng.choice(sorted(cats))]
        urgency = rng.choice(["routine", "urgent", "emergency"])
        state = rng.choice(sorted(CLOCK))
        entered = dt.datetime(2026, 1, 1, tzinfo=BJ) + dt.timedelta(
            minutes=rng.randrange(360 * 24 * 60))
        now = entered + dt.timedelta(minutes=rng.randrange(6 * 24 * 60))
        limit = int(cat.limit(urgency, CLOCK[state]))
        truth = now > brute_due(cal, entered, limit)
        wrong += is_overdue(due_at(cal, cat, urgency, state, entered), now) != truth
    assert wrong == 0


def test_it_reads_the_categories_profile() -> None:
    cats = load_categories()
    assert {"environment", "safety"} <= set(cats)
    for cat in cats.values():
        for urgency in ("routine", "urgent", "emergency"):
            assert cat.limit(urgency, Step.DISPATCH) <= 30  # CJ/T 315: ≤ 30 min routine
        assert cat.limit("emergency", Step.DISPATCH) <= 10
        assert cat.limit("routine", Step.VERIFY) <= 60
