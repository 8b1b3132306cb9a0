"""The life of a grid event (网格事件), as in digital city management (CJ/T 315-2009).

信息采集 → 案卷建立 → 任务派遣 → 任务处置 → 处理反馈 → 核查结案 → 综合评价: an event is
reported, filed (or rejected, or merged into another), dispatched to a grid, accepted and
handled by its grid workers, reported back, verified and closed (or reopened when the
verification fails), and evaluated. Django-free: states, actions, who may take them and the
time limit that runs in each state; the database and the roles are the services' business.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .text import Text
from .workcal import WorkCalendar

CATEGORIES_FILE = Path(__file__).with_name("profiles") / "event-categories.json"


class State(StrEnum):
    """Where an event stands."""

    REPORTED = "reported"      # 信息采集：上报，待立案
    FILED = "filed"            # 案卷建立：已立案，待派遣
    DISPATCHED = "dispatched"  # 任务派遣：已派遣，待网格员接单
    HANDLING = "handling"      # 任务处置：处置中
    HANDLED = "handled"        # 处理反馈：已反馈，待核查
    CLOSED = "closed"          # 核查结案：已结案
    EVALUATED = "evaluated"    # 综合评价：已评价
    REJECTED = "rejected"      # 不予立案
    MERGED = "merged"          # 并入另一事件


class Actor(StrEnum):
    """Who acts: a resident, a grid worker, or the dispatching and verifying office."""

    RESIDENT = "resident"
    WORKER = "worker"
    SUPERVISOR = "supervisor"


class Step(StrEnum):
    """The time-limited steps; each state runs one step's clock (see :data:`CLOCK`)."""

    FILE = "file"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    VERIFY = "verify"


CLOCK: dict[State, Step] = {
    State.REPORTED: Step.FILE, State.FILED: Step.DISPATCH, State.DISPATCHED: Step.HANDLE,
    State.HANDLING: Step.HANDLE, State.HANDLED: Step.VERIFY,
}
OPEN_STATES = frozenset(CLOCK)


@dataclass(frozen=True)
class Transition:
    """An action: the states it starts from, the state it leads to, who may take it."""

    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    needs_note: bool = False


_S, _W = frozenset({Actor.SUPERVISOR}), frozenset({Actor.WORKER, Actor.SUPERVISOR})
TRANSITIONS: dict[str, Transition] = {
    "file": Transition(frozenset({State.REPORTED}), State.FILED, _S),
    "reject": Transition(frozenset({State.REPORTED}), State.REJECTED, _S, needs_note=True),
    "merge": Transition(frozenset({State.REPORTED, State.FILED}), State.MERGED, _S),
    "dispatch": Transition(frozenset({State.FILED}), State.DISPATCHED, _S),
    "reassign": Transition(frozenset({State.DISPATCHED, State.HANDLING}), State.DISPATCHED,
                           _S, needs_note=True),
    "accept": Transition(frozenset({State.DISPATCHED}), State.HANDLING, _W),
    "report_back": Transition(frozenset({State.HANDLING}), State.HANDLED, _W,
                              needs_note=True),
    "verify": Transition(frozenset({State.HANDLED}), State.CLOSED, _S),
    "reopen": Transition(frozenset({State.HANDLED}), State.HANDLING, _S, needs_note=True),
    "evaluate": Transition(frozenset({State.CLOSED}), State.EVALUATED, _S),
}


# What a department does is recorded by the office: it has no accounts here, it answers
# the office (by phone or document) and the office enters its acceptance and its result.
DEPARTMENT_ACTIONS = frozenset({"accept", "report_back"})


class FlowError(ValueError):
    """An action the event's state or the actor does not allow; ``code`` says which."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message.msgid)
        self.code, self.message = code, message


def decide(state: State, action: str, actor: Actor, note: str = "",
           with_department: bool = False) -> State:
    """The state ``action`` by ``actor`` leads to from ``state``; FlowError when refused.

    ``with_department``: a department holds the event, so its handling is the office's to
    record, not a grid worker's.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise FlowError("unknown_action", Text("没有操作 %(action)s；可用：%(known)s",
                                               action=action, known=", ".join(TRANSITIONS)))
    if actor not in transition.actors:
        raise FlowError("forbidden", Text("%(actor)s 不能执行操作 %(action)s",
                                          actor=actor.value, action=action))
    if state not in transition.sources:
        raise FlowError("wrong_state", Text(
            "事件处于 %(state)s，不能执行 %(action)s（需处于 %(sources)s）", state=state.value,
            action=action, sources=", ".join(sorted(s.value for s in transition.sources))))
    if with_department and actor == Actor.WORKER and action in DEPARTMENT_ACTIONS:
        raise FlowError("forbidden", Text("事件已交职能部门办理，其处置由指挥中心记录"))
    if transition.needs_note and not note.strip():
        raise FlowError("note_required", Text("操作 %(action)s 需要填写说明", action=action))
    return transition.target


def allowed_actions(state: State, actor: Actor) -> list[str]:
    """The actions ``actor`` may take on an event in ``state``, in the flow's order."""
    return [a for a, t in TRANSITIONS.items() if state in t.sources and actor in t.actors]


@dataclass(frozen=True)
class Category:
    """An event category: its names, Open311 service code and time limits per urgency.

    ``limits[urgency][step]`` is in working minutes.
    """

    code: str
    title: str
    title_en: str
    limits: dict[str, dict[str, float]]

    def limit(self, urgency: str, step: Step) -> float:
        """Working minutes allowed for ``step`` at ``urgency``."""
        return self.limits[urgency][step.value]


URGENCIES = ("routine", "urgent", "emergency")


def load_categories(path: Path = CATEGORIES_FILE) -> dict[str, Category]:
    """The event categories of a profile file, by code."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for code, item in raw["categories"].items():
        limits = {u: {s.value: float(item["limits"][u][s.value]) for s in Step}
                  for u in URGENCIES}
        out[code] = Category(code, item["title"], item.get("title_en", item["title"]), limits)
    return out


def due_at(calendar: WorkCalendar, category: Category, urgency: str, state: State,
           entered: dt.datetime) -> dt.datetime | None:
    """When the step running in ``state`` is due (None: no clock runs in that state).

    The clock starts when the event entered ``state``; handling runs one clock from the
    dispatch (accepting does not restart it).
    """
    step = CLOCK.get(state)
    if step is None:
        return None
    return calendar.due(entered, category.limit(urgency, step))


def is_overdue(due: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a step due at ``due`` is late at ``now``."""
    return due is not None and now > due


@dataclass(frozen=True)
class Department:
    """A functional department (职能部门) an event can be handed to instead of a grid."""

    code: str
    title: str
    title_en: str


def load_departments(path: Path = CATEGORIES_FILE) -> dict[str, Department]:
    """The departments of a profile file, by code."""
    raw = json.loads(path.read_text(encoding="utf-8")).get("departments", {})
    return {code: Department(code, item["title"], item.get("title_en", item["title"]))
            for code, item in raw.items()}


def actions_for(state: State, actor: Actor, with_department: bool) -> list[str]:
    """:func:`allowed_actions`, less the grid workers' when a department holds the event."""
    actions = allowed_actions(state, actor)
    if with_department and actor == Actor.WORKER:
        return [a for a in actions if a not in DEPARTMENT_ACTIONS]
    return actions


def load_duplicate_rule(path: Path = CATEGORIES_FILE) -> tuple[float, float]:
    """(metres, hours): how near and how soon two reports of a category are one problem."""
    raw = json.loads(path.read_text(encoding="utf-8")).get("duplicates", {})
    return float(raw.get("metres", 50)), float(raw.get("hours", 24))
