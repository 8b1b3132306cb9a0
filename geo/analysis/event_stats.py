"""On-time rates of grid events per step, from their recorded steps (Django-free).

Each step's clock starts when the event enters a state that runs it and stops when an
action moves the event on (accepting does not stop the handling clock: handling runs from
the dispatch to the report back). A finished step is on time when it stopped no later than
its due time, computed in working time from when its clock started.

    rate(step, group) = on_time / finished   over the finished steps of the group
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .event_flow import CLOCK, Category, State, Step
from .workcal import WorkCalendar


@dataclass(frozen=True)
class StepMove:
    """One recorded action of an event: from which state, to which, when."""

    event: int
    action: str
    from_state: str
    to_state: str
    at: dt.datetime


@dataclass(frozen=True)
class FinishedStep:
    """A step whose clock ran and stopped: when it started, stopped and was due."""

    event: int
    step: Step
    started: dt.datetime
    ended: dt.datetime
    due: dt.datetime

    @property
    def on_time(self) -> bool:
        """Stopped no later than due."""
        return self.ended <= self.due


def finished_steps(moves: Iterable[StepMove], calendar: WorkCalendar,
                   kinds: dict[int, tuple[Category, str]]) -> list[FinishedStep]:
    """The finished steps of the events whose ``moves`` are given (any order).

    ``kinds[event]`` is the event's category and urgency (their limits set the due times).
    """
    by_event: dict[int, list[StepMove]] = defaultdict(list)
    for m in moves:
        by_event[m.event].append(m)
    out: list[FinishedStep] = []
    for event, seq in by_event.items():
        seq.sort(key=lambda m: m.at)
        category, urgency = kinds[event]
        clock_start: dt.datetime | None = None
        for m in seq:
            running = CLOCK.get(State(m.from_state)) if m.from_state else None
            if running is not None and clock_start is not None and m.action != "accept":
                due = calendar.due(clock_start, category.limit(urgency, running))
                out.append(FinishedStep(event, running, clock_start, m.at, due))
            if m.action != "accept":
                clock_start = m.at if State(m.to_state) in CLOCK else None
    return out


@dataclass(frozen=True)
class Rate:
    """Finished steps and how many were on time."""

    finished: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """Share on time (None when nothing finished)."""
        return self.on_time / self.finished if self.finished else None


def on_time_rates(steps: Iterable[FinishedStep], group: dict[int, str]
                  ) -> dict[str, dict[Step, Rate]]:
    """Per group (``group[event]``, e.g. a grid's code) and step: finished and on time."""
    counts: dict[str, dict[Step, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for s in steps:
        cell = counts[group.get(s.event, "")][s.step]
        cell[0] += 1
        cell[1] += s.on_time
    return {g: {step: Rate(c[0], c[1]) for step, c in per.items()} for g, per in counts.items()}
