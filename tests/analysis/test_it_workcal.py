"""Working-time arithmetic: due times and worked minutes against a minute-by-minute count."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.workcal import CalendarError, WorkCalendar, load_calendar

BJ = ZoneInfo("Asia/Shanghai")
CAL = load_calendar("cn")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


def working_minute(cal: WorkCalendar, moment: dt.datetime) -> bool:
    """Independent rule for one minute [moment, moment + 1 min): its day, then its hours."""
    day = moment.date()
    weekday_off = day.weekday() >= 5
    if day in cal.holidays or (weekday_off and day not in cal.workdays):
        return False
    clock = moment.time()
    return any(a <= clock < b for a, b in cal.periods)


def brute_due(cal: WorkCalendar, start: dt.datetime, minutes: int) -> dt.datetime:
    if minutes == 0:
        return start
    t, left = start, minutes
    while True:
        if working_minute(cal, t):
            left -= 1
            if left == 0:
                return t + dt.timedelta(minutes=1)
        t += dt.timedelta(minutes=1)


def brute_worked(cal: WorkCalendar, a: dt.datetime, b: dt.datetime) -> int:
    n, t = 0, a
    while t < b:
        n += working_minute(cal, t)
        t += dt.timedelta(minutes=1)
    return n


@pytest.mark.parametrize(("start", "minutes", "due"), [
    # Within a morning; to the lunch break's edge; across lunch.
    ("2026-03-03T09:10", 30, "2026-03-03T09:40"),
    ("2026-03-03T11:30", 30, "2026-03-03T12:00"),
    ("2026-03-03T11:50", 30, "2026-03-03T13:50"),
    # Reported at night: the clock starts at 09:00 next morning.
    ("2026-03-03T22:15", 10, "2026-03-04T09:10"),
    # Friday afternoon across the weekend.
    ("2026-03-06T17:00", 60, "2026-03-09T09:30"),
    # Before the Spring Festival: Saturday 14 February is a working day (调休), then the
    # holiday runs 15–23 February; work resumes on Tuesday the 24th.
    ("2026-02-13T17:00", 60, "2026-02-14T09:30"),
    ("2026-02-14T17:00", 60, "2026-02-24T09:30"),
    # National Day: 1–7 October off, Saturday 10 October a working day.
    ("2026-09-30T17:20", 20, "2026-10-08T09:10"),
    ("2026-10-09T17:00", 480, "2026-10-12T09:30"),  # 30 + the Saturday's 420 + 30
])
def test_it_counts_due_times_in_working_hours(start: str, minutes: int, due: str) -> None:
    assert CAL.due(at(start), minutes) == at(due)
    assert CAL.due(at(start), minutes) == brute_due(CAL, at(start), minutes)
    assert CAL.worked(at(start), at(due)) == minutes


@settings(max_examples=150, deadline=None)
@given(day=st.integers(0, 364), minute=st.integers(0, 24 * 60 - 1),
       minutes=st.integers(0, 3 * 450))
def test_it_agrees_with_a_minute_by_minute_count(day: int, minute: int, minutes: int) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=BJ) + dt.timedelta(days=day, minutes=minute)
    due = CAL.due(start, minutes)
    assert due == brute_due(CAL, start, minutes)
    assert CAL.worked(start, due) == minutes


@settings(max_examples=100, deadline=None)
@given(day=st.integers(0, 360), minute=st.integers(0, 24 * 60 - 1),
       span=st.integers(0, 4 * 24 * 60))
def test_it_counts_worked_minutes(day: int, minute: int, span: int) -> None:
    a = dt.datetime(2026, 1, 1, tzinfo=BJ) + dt.timedelta(days=day, minutes=minute)
    b = a + dt.timedelta(minutes=span)
    assert CAL.worked(a, b) == brute_worked(CAL, a, b)


def test_it_reads_times_in_other_zones_as_beijing_time() -> None:
    utc = dt.datetime(2026, 3, 3, 1, 10, tzinfo=dt.UTC)  # 09:10 in Beijing
    assert CAL.due(utc, 30) == at("2026-03-03T09:40")
    with pytest.raises(CalendarError):
        CAL.due(dt.datetime(2026, 3, 3, 9, 10), 30)


def test_it_knows_which_years_it_holds() -> None:
    assert CAL.knows(dt.date(2026, 5, 1)) and not CAL.knows(dt.date(2030, 5, 1))
    assert not CAL.is_working_day(dt.date(2026, 5, 1))
    assert CAL.is_working_day(dt.date(2026, 5, 9))  # a Saturday made a working day


def test_it_refuses_a_broken_calendar(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"hours": [["13:00", "12:00"]], "years": {}}))
    with pytest.raises(CalendarError):
        load_calendar(str(path))
    path.write_text(json.dumps({"hours": [["09:00", "12:00"]], "years": {"2026": {
        "holidays": ["2026-05-01"], "workdays": ["2026-05-01"]}}}))
    with pytest.raises(CalendarError):
        load_calendar(str(path))
    with pytest.raises(CalendarError):
        load_calendar("nowhere")


def test_it_official_years_match_an_independent_calendar() -> None:
    """Every official year, day by day, against the chinesecalendar package's State Council data."""
    import chinese_calendar

    official = sorted(CAL.years - CAL.provisional)
    assert {2024, 2025, 2026} <= set(official)
    checked = 0
    for year in official:
        day = dt.date(year, 1, 1)
        while day.year == year:
            try:
                expected = chinese_calendar.is_workday(day)
            except NotImplementedError:  # a year newer than the package's data
                break
            assert CAL.is_working_day(day) == expected, day
            checked += 1
            day += dt.timedelta(days=1)
    assert checked >= 3 * 365


def test_it_next_year_is_provisional_until_the_notice() -> None:
    """2027 holds the statutory days (Spring Festival eve to the 3rd day), marked provisional."""
    assert 2027 in CAL.provisional
    assert not CAL.is_working_day(dt.date(2027, 2, 5))  # New Year's Eve, a Friday
    assert not CAL.is_working_day(dt.date(2027, 2, 9))  # for the 6th, a Saturday
    assert CAL.unsettled(dt.date(2026, 12, 31), dt.date(2027, 1, 4), dt.date(2028, 1, 3)) == [
        2027, 2028]
    assert CAL.unsettled(dt.date(2026, 6, 1)) == []
