"""Grid events over the database: report at a place, act on them, list what is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.analysis.event_dupes import duplicate_groups
from geo.analysis.event_flow import (
    OPEN_STATES,
    Actor,
    Category,
    Department,
    FlowError,
    State,
    Step,
    actions_for,
    decide,
    due_at,
    is_overdue,
    load_categories,
    load_departments,
    load_duplicate_rule,
)
from geo.analysis.event_stats import (
    FinishedStep,
    Rate,
    StepMove,
    finished_steps,
    on_time_rates,
)
from geo.analysis.photos import clean_photo
from geo.analysis.text import Text
from geo.analysis.workcal import WorkCalendar, load_calendar
from geo.models import Community, Event, EventPhoto, EventStep, GridUnit, ReporterKind
from geo.models.accounts import account_of
from geo.models.base import StaleVersion
from geo.models.tables import sql
from geo.roles import Role

from .access import covers, scope_of
from .text import title_of

# Roles as actors of the flow: the street/district office dispatches and verifies; community
# staff are the grid workers. Viewers and stewards only read (or nothing).
ACTORS = {Role.ADMIN: Actor.SUPERVISOR, Role.PLANNER: Actor.SUPERVISOR,
          Role.STAFF: Actor.WORKER}


@cache
def categories() -> dict[str, Category]:
    """The event categories (profile ``event-categories.json``)."""
    return load_categories()


@cache
def departments() -> dict[str, Department]:
    """The functional departments events can be handed to (same profile)."""
    return load_departments()


@cache
def calendar() -> WorkCalendar:
    """The working-time calendar deadlines are counted in."""
    return load_calendar()


def locate(point: Point) -> tuple[GridUnit | None, Community | None]:
    """The grid and community holding ``point``.

    A point on a shared boundary lies in two grids: the one with the lower code takes it,
    so the same place always goes to the same grid. Outside every grid the community
    holding it (or none) is kept and the event waits for a supervisor to dispatch it.
    """
    grid = (GridUnit.objects.filter(geom__intersects=point).select_related("community")
            .order_by("code").first())
    if grid is not None:
        return grid, grid.community
    return None, Community.objects.filter(geom__intersects=point).order_by("code").first()


def actor_of(user: Any) -> Actor:
    """The flow's actor a logged-in user is; PermissionDenied when they have no part."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("请先登录"))
    if user.is_superuser:
        return Actor.SUPERVISOR
    account = account_of(user)
    actor = ACTORS.get(Role(account.role)) if account else None
    if actor is None:
        raise PermissionDenied(_("您的角色不处理网格事件"))
    return actor


def event_code(event: Event) -> str:
    """The hierarchy code placing ``event`` (its grid's, else its community's, else '')."""
    if event.grid is not None:
        return str(event.grid.code)
    return str(event.community.code) if event.community is not None else ""


def _clock(event: Event, now: dt.datetime) -> None:
    event.state_since = now
    event.due_at = due_at(calendar(), categories()[event.category], event.urgency,
                          State(event.state), now)


@dataclass(frozen=True)
class Reporter:
    """Who reports: a resident with a phone (anonymous), or a logged-in worker or staff."""

    kind: str = ReporterKind.RESIDENT
    phone: str = ""
    user: Any = None


def report(*, category: str, urgency: str, description: str, lon: float, lat: float,
           address: str = "", by: Reporter = Reporter()) -> Event:
    """A new event at (lon, lat), placed in its grid, its first clock running."""
    kind, phone, reporter = by.kind, by.phone, by.user
    if category not in categories():
        raise FlowError("invalid_parameter", Text("没有事件类别 %(code)s；可用：%(known)s",
                                                  code=category,
                                                  known=", ".join(categories())))
    point = Point(lon, lat, srid=4326)
    grid, community = locate(point)
    now = timezone.now()
    with transaction.atomic():
        event = Event(category=category, urgency=urgency, description=description,
                      location=point, address=address, grid=grid, community=community,
                      reporter_kind=kind, reporter_phone=phone,
                      reporter=reporter if reporter and reporter.is_authenticated else None)
        _clock(event, now)
        event.save()
        EventStep.objects.create(event=event, action="report", to_state=event.state,
                                 actor=event.reporter, actor_kind=kind, grid=grid,
                                 note="")
    return event


@dataclass(frozen=True)
class ActDetails:
    """What some actions need: where to hand the event, its score, which event it joins."""

    grid: str | None = None
    department: str | None = None
    score: int | None = None
    merge_into: str | None = None


def _hand_over(event: Event, action: str, d: ActDetails, scope: str | None) -> GridUnit | None:
    """Hand ``event`` to ``d``'s grid or department on dispatch/reassign; the new grid."""
    if d.grid and d.department:
        raise FlowError("invalid_parameter", Text("网格和职能部门只能选一个"))
    target = None
    if action in ("dispatch", "reassign") and d.department:
        if d.department not in departments():
            raise FlowError("invalid_parameter", Text(
                "没有职能部门 %(code)s；可用：%(known)s", code=d.department,
                known=", ".join(departments())))
        event.department = d.department
    if action in ("dispatch", "reassign") and d.grid:
        target = GridUnit.objects.select_related("community").get(code=d.grid)
        if not covers(scope, target.code):
            raise PermissionDenied(_("网格 %(code)s 不在您的工作范围内") % {"code": d.grid})
        event.grid, event.community, event.department = target, target.community, ""
    if action == "dispatch" and event.grid_id is None and not event.department:
        raise FlowError("grid_required", Text("事件不在任何网格内：派遣时请指定网格或职能部门"))
    return target


def _score_or_merge(event: Event, action: str, d: ActDetails) -> None:
    if action == "evaluate":
        if d.score is None or not 1 <= d.score <= 5:
            raise FlowError("invalid_parameter", Text("评价应为 1 到 5 分"))
        event.score = d.score
    if action == "merge":
        other = Event.objects.filter(code=d.merge_into).first() if d.merge_into else None
        if other is None or other.pk == event.pk:
            raise FlowError("invalid_parameter", Text("请指定要并入的另一事件的查询码"))
        event.merged_into = other


def act(code: str, action: str, user: Any, version: int | None, note: str = "",
        details: ActDetails = ActDetails()) -> Event:
    """Take ``action`` on event ``code`` as ``user``, based on its ``version``.

    ``dispatch`` and ``reassign`` hand the event to a grid or to a functional department
    (``details``); handing it to a grid takes it from the department.

    Refused (PermissionDenied) outside the user's scope; StaleVersion when someone acted
    since the version the user saw; FlowError when the flow does not allow it.
    """
    actor = actor_of(user)
    scope = scope_of(user)
    now = timezone.now()
    with transaction.atomic():
        event = (Event.objects.select_for_update(of=("self",)).select_related("grid", "community")
                 .get(code=code))
        if not covers(scope, event_code(event)):
            raise PermissionDenied(_("事件 %(code)s 不在您的工作范围内") % {"code": code})
        if version is None or version != event.version:
            raise StaleVersion(event.version, version)
        before = State(event.state)
        after = decide(before, action, actor, note, with_department=bool(event.department))
        target_grid = _hand_over(event, action, details, scope)
        _score_or_merge(event, action, details)
        event.state = after.value
        # Handling runs one clock from the dispatch: accepting does not restart it.
        if action != "accept":
            _clock(event, now)
        event.version += 1
        event.save()
        EventStep.objects.create(event=event, action=action, from_state=before.value,
                                 to_state=after.value, actor=user, actor_kind=actor.value,
                                 note=note, grid=target_grid,
                                 department=details.department or "")
    return event


def visible_events(user: Any) -> QuerySet[Event]:
    """The events a staff user may see: those placed inside their scope."""
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_("请以有角色和工作范围的工作人员身份登录"))
    # The grid's and community's codes, not their boundaries (a community's is large).
    qs = (Event.objects.select_related("grid", "community")
          .defer("grid__geom", "community__geom"))
    if scope:
        qs = qs.filter(community__code__startswith=scope)
    return qs


def mask(phone: str) -> str:
    """A phone number with its middle hidden (138****5678)."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else ("*" * len(phone))


def _department_name(code: str) -> str:
    dept = departments().get(code)
    if dept is None:
        return code
    return title_of(dept)


def as_dict(event: Event, now: dt.datetime, actor: Actor | None = None) -> dict[str, Any]:
    """An event for the API: place, state, its clock, and what ``actor`` may do next."""
    cat = categories().get(event.category)
    return {
        "code": event.code, "category": event.category,
        "category_name": title_of(cat) if cat else "",
        "urgency": event.urgency, "description": event.description,
        "lon": round(event.location.x, 7), "lat": round(event.location.y, 7),
        "address": event.address,
        "grid": event.grid.code if event.grid is not None else None,
        "community": event.community.code if event.community is not None else None,
        "state": event.state, "state_name": str(event.get_state_display()),
        "state_since": event.state_since.isoformat(),
        "due_at": event.due_at.isoformat() if event.due_at else None,
        "overdue": is_overdue(event.due_at, now),
        "reported_at": event.created_at.isoformat(), "version": event.version,
        "reporter_phone": mask(event.reporter_phone),
        "department": event.department,
        "department_name": _department_name(event.department),
        "actions": (actions_for(State(event.state), actor, bool(event.department))
                    if actor else []),
    }


def on_time_report(user: Any) -> dict[str, Any]:
    """On-time rates of the finished steps of the events in ``user``'s scope.

    Per step overall, then per street, community and grid (the codes the events are filed
    under). Reads every step of the scope's events: fine for a district's years; a city
    would want it kept as it happens.
    """
    events = visible_events(user)
    info = list(events.values_list("id", "category", "urgency", "grid__code",
                                   "community__code", "community__street__code"))
    steps, kinds = _finished(info)

    def table(key: int) -> list[dict[str, Any]]:
        groups = {int(row[0]): str(row[key] or "") for row in info}
        rates = on_time_rates(steps, groups)
        return [{"code": code, **_rates(per)} for code, per in sorted(rates.items()) if code]

    overall = on_time_rates(steps, dict.fromkeys(kinds, "all")).get("all", {})
    return {"steps": _rates(overall)["steps"], "streets": table(5), "communities": table(4),
            "grids": table(3)}


def _finished(info: list[tuple[Any, ...]]) -> tuple[list[FinishedStep],
                                                    dict[int, tuple[Category, str]]]:
    """The finished steps of events given as (id, category, urgency, ...) rows."""
    cats = categories()
    kinds = {int(row[0]): (cats[row[1]], str(row[2])) for row in info if row[1] in cats}
    moves = [StepMove(e, a, f, t, at) for e, a, f, t, at in EventStep.objects.filter(
        event_id__in=list(kinds)).values_list("event_id", "action", "from_state", "to_state",
                                              "at")]
    return finished_steps(moves, calendar(), kinds), kinds


def _rates(per: dict[Step, Rate]) -> dict[str, Any]:
    return {"steps": {s.value: {"finished": per[s].finished, "on_time": per[s].on_time,
                                "rate": per[s].rate} for s in Step if s in per}}


def community_events(scope: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per community of ``scope`` with events: counts, open, overdue, handling on time.

    Its hot spot is the grid with the most events (``hot_grid``, ``hot_grid_events``).

    Also the scope's totals. For the coverage report (a read of everything in the scope).
    """
    from django.db.models import Count, Q

    now = timezone.now()
    opened = [s.value for s in OPEN_STATES]
    events = Event.objects.filter(community__code__startswith=scope)
    rows = list(events.values("community__code", "community__name").annotate(
        events=Count("id"), open=Count("id", filter=Q(state__in=opened)),
        overdue=Count("id", filter=Q(state__in=opened, due_at__lt=now)))
        .order_by("community__code"))
    # Hot spots: the grid of each community with the most events (ties: the lower code).
    hot: dict[str, tuple[str, int]] = {}
    for g in (events.exclude(grid=None).values("community__code", "grid__code")
              .annotate(n=Count("id")).order_by("community__code", "-n", "grid__code")):
        hot.setdefault(g["community__code"], (g["grid__code"], g["n"]))
    info = list(events.values_list("id", "category", "urgency", "community__code"))
    steps, kinds = _finished(info)
    per = on_time_rates(steps, {int(i): str(code or "") for i, _c, _u, code in info})
    overall = on_time_rates(steps, dict.fromkeys(kinds, "all")).get("all", {})
    out = []
    for r in rows:
        handle = per.get(r["community__code"] or "", {}).get(Step.HANDLE)
        out.append({"community_code": r["community__code"], "community": r["community__name"],
                    "events": r["events"], "open": r["open"], "overdue": r["overdue"],
                    "handled": handle.finished if handle else 0,
                    "handled_on_time": handle.rate if handle else None,
                    "hot_grid": hot.get(r["community__code"], ("", 0))[0],
                    "hot_grid_events": hot.get(r["community__code"], ("", 0))[1]})
    total_handle = overall.get(Step.HANDLE)
    summary = {"events": sum(r["events"] for r in rows), "open": sum(r["open"] for r in rows),
               "overdue": sum(r["overdue"] for r in rows),
               "on_time": {step.value: overall[step].rate for step in Step if step in overall},
               "handled": total_handle.finished if total_handle else 0}
    return out, summary


DUPLICATE_SQL = sql("""
    SELECT a.id, b.id FROM {Event} a
    JOIN {Event} b ON a.id < b.id AND a.category = b.category
     AND b.created_at BETWEEN a.created_at - %(hours)s * interval '1 hour'
                          AND a.created_at + %(hours)s * interval '1 hour'
     AND ST_DWithin(a.location::geography, b.location::geography, %(metres)s)
    LEFT JOIN {Community} ca ON ca.id = a.community_id
    LEFT JOIN {Community} cb ON cb.id = b.community_id
    WHERE a.state IN ('reported', 'filed') AND b.state IN ('reported', 'filed')
      AND (%(scope)s = '' OR (ca.code LIKE %(like)s AND cb.code LIKE %(like)s))
""")


def duplicate_proposals(user: Any) -> dict[str, Any]:
    """Groups of likely duplicates among the scope's unfiled or undispatched events.

    Each group is proposed to be merged into its earliest report; the office decides (the
    ``merge`` action), nothing is merged here.
    """
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_("请以有角色和工作范围的工作人员身份登录"))
    metres, hours = load_duplicate_rule()
    with connection.cursor() as cur:
        cur.execute(DUPLICATE_SQL, {"hours": hours, "metres": metres, "scope": scope,
                                    "like": scope + "%"})
        pairs = [(int(a), int(b)) for a, b in cur.fetchall()]
    ids = {i for pair in pairs for i in pair}
    rows = {e.id: e for e in Event.objects.filter(id__in=ids).only("id", "code", "created_at")}
    groups = duplicate_groups(pairs, {i: rows[i].created_at.timestamp() for i in rows})
    return {"metres": metres, "hours": hours, "groups": [
        {"keep": rows[g[0]].code, "merge": [rows[i].code for i in g[1:]]} for g in groups]}


def add_photo(event: Event, raw: bytes, step: EventStep | None = None) -> EventPhoto:
    """Keep a photo of ``event`` (cleaned: see geo.analysis.photos); PhotoError if unfit."""
    photo = clean_photo(raw)
    return EventPhoto.objects.create(event=event, step=step, data=photo.data,
                                     width=photo.width, height=photo.height)


def photo_of(user: Any, code: str, pk: int) -> bytes | None:
    """A photo's JPEG bytes for a staff user whose scope holds the event (else None)."""
    row = (EventPhoto.objects.filter(pk=pk, event__in=visible_events(user), event__code=code)
           .values_list("data", flat=True).first())
    return bytes(row) if row is not None else None


def photo_ids(event: Event) -> list[int]:
    """The ids of an event's photos (without reading the images)."""
    return list(EventPhoto.objects.filter(event=event).order_by("id")
                .values_list("id", flat=True))


def photo_ids_of(events: list[Event]) -> dict[int, list[int]]:
    """The photo ids of several events at once (event id → ids), without the images."""
    out: dict[int, list[int]] = {}
    for event_id, pk in (EventPhoto.objects.filter(event__in=events).order_by("id")
                         .values_list("event_id", "id")):
        out.setdefault(event_id, []).append(pk)
    return out
