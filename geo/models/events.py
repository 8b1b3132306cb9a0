"""Grid events (网格事件): a problem reported at a place, handled in its grid, on time."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from geo.analysis.event_flow import State

from .base import SRID
from .hierarchy import Community, GridUnit

STATE_LABELS = {
    State.REPORTED: _("待立案"), State.FILED: _("待派遣"), State.DISPATCHED: _("待接单"),
    State.HANDLING: _("处置中"), State.HANDLED: _("待核查"), State.CLOSED: _("已结案"),
    State.EVALUATED: _("已评价"), State.REJECTED: _("不予立案"), State.MERGED: _("已合并"),
}


class Urgency(models.TextChoices):
    """How fast an event must move (the categories' limits differ by urgency)."""

    ROUTINE = "routine", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class ReporterKind(models.TextChoices):
    """Who reported: a resident (anonymous, with a phone) or a grid worker or staff."""

    RESIDENT = "resident", _("居民")
    WORKER = "worker", _("网格员")
    STAFF = "staff", _("工作人员")


def tracking_code() -> str:
    """A code a resident keeps to follow the event; unguessable (not a count of events)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Event(models.Model):
    """One reported problem: where, what, which grid holds it and where it stands."""

    code = models.CharField(_("查询码"), max_length=12, unique=True, default=tracking_code)
    category = models.CharField(_("类别"), max_length=20)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices,
                               default=Urgency.ROUTINE)
    description = models.TextField(_("描述"), max_length=2000)
    location = models.PointField(_("位置"), srid=SRID)
    address = models.CharField(_("地点说明"), max_length=200, blank=True, default="")
    grid = models.ForeignKey(GridUnit, models.SET_NULL, null=True, blank=True,
                             related_name="events", verbose_name=_("网格"))
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="events", verbose_name=_("社区"))
    department = models.CharField(_("职能部门"), max_length=30, blank=True, default="",
                                  help_text=_("交职能部门办理时的部门代码（见事件类别配置）"))
    state = models.CharField(_("状态"), max_length=12,
                             choices=[(s.value, STATE_LABELS[s]) for s in State],
                             default=State.REPORTED.value)
    state_since = models.DateTimeField(_("进入此状态"))
    due_at = models.DateTimeField(_("本环节期限"), null=True, blank=True)
    reporter_kind = models.CharField(_("上报人"), max_length=10, choices=ReporterKind.choices)
    reporter_phone = models.CharField(_("上报人电话"), max_length=20, blank=True, default="")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    merged_into = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                    related_name="merged", verbose_name=_("并入"))
    score = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        indexes = [
            models.Index(fields=["grid", "state", "due_at"], name="event_grid_open"),
            models.Index(fields=["community", "state", "due_at"], name="event_community_open"),
            models.Index(fields=["state", "due_at"], name="event_state_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__isnull=True)
                                   | models.Q(score__gte=1, score__lte=5),
                                   name="event_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.category}"


class EventStep(models.Model):
    """One transition of an event: who did what, when, with which note."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True, default="")
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("操作人"))
    actor_kind = models.CharField(_("身份"), max_length=12)
    note = models.TextField(_("说明"), max_length=2000, blank=True, default="")
    grid = models.ForeignKey(GridUnit, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("网格"))
    department = models.CharField(_("职能部门"), max_length=30, blank=True, default="")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件环节")
        verbose_name_plural = _("事件环节")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"


class EventPhoto(models.Model):
    """A photo of an event (cleaned: small JPEG, no metadata), kept in the database.

    In the database, not on disk, so that a backup holds the photos with their events.
    """

    event = models.ForeignKey(Event, models.CASCADE, related_name="photos")
    step = models.ForeignKey(EventStep, models.SET_NULL, null=True, blank=True,
                             related_name="photos")
    data = models.BinaryField(_("照片"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")

    def __str__(self) -> str:
        return f"{self.event_id} #{self.pk}"
