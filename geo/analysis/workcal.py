"""Working time: due times and elapsed time counted only in working hours (Django-free).

Chinese city-management time limits run in working hours (CJ/T 315-2009: an emergency is
dispatched within 10 working minutes, a verification within one working hour). A working
day is a weekday that is not an official holiday, or a weekend day the State Council made a
working day (调休上班); its working time is the calendar's periods (e.g. 09:00–12:00 and
13:30–17:30), in the calendar's time zone.

Formulation. Let W ⊂ ℝ be the union of the working periods of all working days. Then

    worked(a, b) = |[a, b) ∩ W|            (minutes)
    due(s, m)    = min { t ≥ s : worked(s, t) = m }   (and due(s, 0) = s)

Both walk the days from ``s`` once: O(days spanned × periods per day).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .text import Text

CALENDAR_DIR = Path(__file__).with_name("calendars")
DEFAULT_CALENDAR = "cn"
# A due time further than this many days away is an error in the limits, not a deadline.
MAX_DAYS = 3 * 366


class CalendarError(ValueError):
    """A calendar file that cannot be used, or a time outside what it can count."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods of a working day, official holidays and adjusted working days.

    ``years`` are the years whose holidays the calendar holds; outside them every weekday is
    a working day (see :meth:`knows`). ``provisional`` years hold only what the law fixes,
    before the State Council's notice names the adjusted working days.
    """

    periods: tuple[tuple[dt.time, dt.time], ...]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    timezone: str = "Asia/Shanghai"
    years: frozenset[int] = frozenset()
    provisional: frozenset[int] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    def knows(self, day: dt.date) -> bool:
        """Whether the calendar holds the holidays of ``day``'s year."""
        return day.year in self.years

    def unsettled(self, *days: dt.date) -> list[int]:
        """The years among ``days`` the calendar does not hold, or holds only provisionally."""
        return sorted({d.year for d in days
                       if d.year not in self.years or d.year in self.provisional})

    def is_working_day(self, day: dt.date) -> bool:
        """A weekday that is not a holiday, or an adjusted working weekend day."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def _periods_of(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        tz = self.tz
        return [(dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz))
                for a, b in self.periods]

    def due(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment ``minutes`` of working time after ``start`` (aware datetimes)."""
        if start.tzinfo is None:
            raise CalendarError(Text("时间必须带时区"))
        if minutes <= 0:
            return start
        left = dt.timedelta(minutes=minutes)
        cursor = start.astimezone(self.tz)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            for begin, end in self._periods_of(day):
                if cursor >= end:
                    continue
                frm = max(cursor, begin)
                if end - frm >= left:
                    return frm + left
                left -= end - frm
            day += dt.timedelta(days=1)
        raise CalendarError(Text("期限超过 %(days)s 天：请检查时限设置", days=MAX_DAYS))

    def worked(self, start: dt.datetime, end: dt.datetime) -> float:
        """Minutes of working time in [start, end) (0 when end is not after start)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise CalendarError(Text("时间必须带时区"))
        if end <= start:
            return 0.0
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            for begin, stop in self._periods_of(day):
                lo, hi = max(a, begin), min(b, stop)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60.0


def _time(raw: str) -> dt.time:
    return dt.time.fromisoformat(raw)


def load_calendar(name_or_path: str | None = None) -> WorkCalendar:
    """A built-in calendar by name (``cn``), or one from a JSON file path."""
    key = name_or_path or DEFAULT_CALENDAR
    path = Path(key) if key.endswith(".json") else CALENDAR_DIR / f"{key}.json"
    if not path.is_file():
        raise CalendarError(Text("没有工作日历 %(key)s", key=key))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        periods = tuple((_time(a), _time(b)) for a, b in raw["hours"])
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for year in raw["years"].values():
            holidays.update(dt.date.fromisoformat(d) for d in year["holidays"])
            workdays.update(dt.date.fromisoformat(d) for d in year["workdays"])
        cal = WorkCalendar(periods, frozenset(holidays), frozenset(workdays),
                           raw.get("timezone", "Asia/Shanghai"),
                           frozenset(int(y) for y in raw["years"]),
                           frozenset(int(y) for y, v in raw["years"].items()
                                     if v.get("provisional")))
        cal.tz  # noqa: B018 (an unknown zone fails here, at load)
    except (KeyError, ValueError, TypeError) as exc:
        raise CalendarError(Text("工作日历 %(path)s 无法读取：%(reason)s", path=str(path),
                                 reason=str(exc))) from exc
    if any(a >= b for a, b in periods) or any(
            periods[i][1] > periods[i + 1][0] for i in range(len(periods) - 1)):
        raise CalendarError(Text("工作日历 %(path)s 的工作时段应按时间先后、互不重叠",
                                 path=str(path)))
    if holidays & workdays:
        raise CalendarError(Text("工作日历 %(path)s 中有日期既是假日又是调休上班日",
                                 path=str(path)))
    return cal
