"""On-time rates from recorded steps: which clock each action stops, and when it was due."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from geo.analysis.event_flow import Step, load_categories
from geo.analysis.event_stats import StepMove, finished_steps, on_time_rates
from geo.analysis.workcal import load_calendar

BJ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


def test_it_times_each_step_and_keeps_handling_running_through_accept() -> None:
    cal, cat = load_calendar(), load_categories()["environment"]  # routine: 60/30/960/60
    moves = [
        StepMove(1, "report", "", "reported", at("2026-03-03T09:00")),
        StepMove(1, "file", "reported", "filed", at("2026-03-03T09:50")),       # 50 ≤ 60
        StepMove(1, "dispatch", "filed", "dispatched", at("2026-03-03T10:30")),  # 40 > 30
        StepMove(1, "accept", "dispatched", "handling", at("2026-03-03T11:00")),
        # Handling: 960 working minutes from 10:30 on Tuesday (330 that day, 420 on
        # Wednesday, 210 on Thursday) = Thursday 14:00, the clock running through the accept;
        # reported back on Thursday at 10:00, on time.
        StepMove(1, "report_back", "handling", "handled", at("2026-03-05T10:00")),
        StepMove(1, "verify", "handled", "closed", at("2026-03-05T13:45")),     # 75 > 60
    ]
    steps = finished_steps(moves, cal, {1: (cat, "routine")})
    assert [(s.step, s.on_time) for s in steps] == [
        (Step.FILE, True), (Step.DISPATCH, False), (Step.HANDLE, True), (Step.VERIFY, False)]
    handle = steps[2]
    assert handle.started == at("2026-03-03T10:30") and handle.due == at("2026-03-05T14:00")


def test_it_restarts_handling_after_a_failed_verification() -> None:
    cal, cat = load_calendar(), load_categories()["safety"]  # emergency handle: 60 min
    moves = [
        StepMove(2, "report", "", "reported", at("2026-03-03T09:00")),
        StepMove(2, "file", "reported", "filed", at("2026-03-03T09:05")),
        StepMove(2, "dispatch", "filed", "dispatched", at("2026-03-03T09:10")),
        StepMove(2, "report_back", "dispatched", "handled", at("2026-03-03T09:40")),
        StepMove(2, "reopen", "handled", "handling", at("2026-03-03T10:00")),
        StepMove(2, "report_back", "handling", "handled", at("2026-03-03T11:30")),
    ]
    steps = finished_steps(moves, cal, {2: (cat, "emergency")})
    assert [(s.step, s.on_time) for s in steps] == [
        (Step.FILE, True), (Step.DISPATCH, True), (Step.HANDLE, True), (Step.VERIFY, True),
        (Step.HANDLE, False)]  # 10:00 → 11:30 is 90 working minutes of 60
    rates = on_time_rates(steps, {2: "510199001001001"})
    handle = rates["510199001001001"][Step.HANDLE]
    assert (handle.finished, handle.on_time) == (2, 1) and handle.rate == 0.5
