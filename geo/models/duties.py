"""What reporting members do for their community each year ("五个一")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from geo.analysis.rules import DUTY_KINDS

from .audit import audited
from .base import Tracked
from .hierarchy import Community
from .people import ReportingMember

# Before this a record is a typing slip (the programme dates from the 2010s).
EARLIEST = dt.date(2000, 1, 1)


class DutyKind(models.TextChoices):
    """The five yearly duties of a reporting member (the profile says how many of each)."""

    MEETING = "meeting", _("参加社区党组织活动")
    TALK = "talk", _("与社区干部谈心")
    SURVEY = "survey", _("参与社区调研")
    WISH = "wish", _("认领微心愿")
    VOLUNTEER = "volunteer", _("志愿服务一天")


# For table headers and legends, where the whole name does not fit.
SHORT_LABELS = {
    DutyKind.MEETING: pgettext_lazy("duty", "组织活动"),
    DutyKind.TALK: pgettext_lazy("duty", "谈心"),
    DutyKind.SURVEY: pgettext_lazy("duty", "调研"),
    DutyKind.WISH: pgettext_lazy("duty", "微心愿"),
    DutyKind.VOLUNTEER: pgettext_lazy("duty", "志愿服务"),
}

assert tuple(DutyKind.values) == DUTY_KINDS, "DutyKind and rules.DUTY_KINDS must agree"


class MemberActivity(Tracked):
    """One duty a reporting member did on one day, in the community they report to."""

    member = models.ForeignKey(ReportingMember, models.CASCADE, related_name="activities",
                               verbose_name=_("党员"))
    kind = models.CharField(_("活动类型"), max_length=12, choices=DutyKind.choices)
    on = models.DateField(_("日期"))
    # The community the member reported to on the day: a member who moves on keeps the
    # duties done where they were, and the scope rules read this column.
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="member_activities", verbose_name=_("社区"))
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("党员活动")
        verbose_name_plural = pgettext_lazy("plural", "党员活动")
        ordering = ["-on", "pk"]
        indexes = [models.Index(fields=["member", "on"])]
        constraints = [models.UniqueConstraint(fields=["member", "kind", "on"],
                                               name="one_duty_per_member_kind_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.on.isoformat()}"

    def clean(self) -> None:
        today = dt.date.today()
        if not EARLIEST <= self.on <= today:
            raise ValidationError({"on": ValidationError(
                gettext("日期须在 %(first)s 与今天（%(today)s）之间") % {
                    "first": EARLIEST.isoformat(), "today": today.isoformat()},
                code="date_out_of_range")})

    @classmethod
    def record(cls, member: ReportingMember, kind: str, on: dt.date, note: str = "",
               origin: str = "manual", source: str = "") -> MemberActivity:
        """Record a duty done; the same member, duty and day again only updates the note."""
        with transaction.atomic():
            # Lock the member: two clerks entering one meeting at once make one row.
            ReportingMember.objects.select_for_update().filter(pk=member.pk).first()
            found = cls.objects.filter(member=member, kind=kind, on=on).first()
            if found is not None:
                if note and note != found.note:
                    found.note = note
                    found.version += 1
                    found.save(update_fields=["note", "version", "updated_at"])
                return found
            act = cls(member=member, kind=kind, on=on, note=note, origin=origin, source=source,
                      community_id=member.reported_community_id)
            act.full_clean()
            act.save()
            return act
