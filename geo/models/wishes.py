"""Micro-wishes (微心愿) of residents in need: posted by staff, claimed, fulfilled."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from geo.analysis.personal import mask_name
from geo.analysis.wishes import CATEGORIES

from .audit import audited
from .base import SRID, StaleVersion, Tracked
from .duties import DutyKind, MemberActivity
from .facilities import CoBuildingUnit
from .hierarchy import Community
from .people import ReportingMember


class WishCategory(models.TextChoices):
    GOODS = "goods", _("生活物资")
    STUDY = "study", _("学习用品")
    HEALTH = "health", _("医疗健康")
    CARE = "care", _("陪伴照料")
    REPAIR = "repair", _("维修帮办")
    OTHER = "other", _("其他")


assert tuple(WishCategory.values) == CATEGORIES, "WishCategory and wishes.CATEGORIES agree"


class WishStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已实现")
    CANCELLED = "cancelled", _("已撤销")


class Wish(Tracked):
    """One resident's small wish; the public sees it masked and placed only roughly."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="wishes",
                                  verbose_name=_("社区"))
    category = models.CharField(_("类别"), max_length=10, choices=WishCategory.choices)
    text = models.CharField(_("心愿"), max_length=300)
    person = models.CharField(_("心愿人"), max_length=50)
    location = models.PointField(_("位置"), srid=SRID)
    posted_on = models.DateField(_("发布日期"))
    status = models.CharField(_("状态"), max_length=10, choices=WishStatus.choices,
                              default=WishStatus.OPEN)
    member = models.ForeignKey(ReportingMember, models.SET_NULL, null=True, blank=True,
                               related_name="wishes", verbose_name=_("认领党员"))
    unit = models.ForeignKey(CoBuildingUnit, models.SET_NULL, null=True, blank=True,
                             related_name="wishes", verbose_name=_("认领单位"))
    claimed_on = models.DateField(_("认领日期"), null=True, blank=True)
    fulfilled_on = models.DateField(_("实现日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = pgettext_lazy("plural", "微心愿")
        ordering = ["-posted_on", "pk"]
        indexes = [models.Index(fields=["status", "posted_on"])]

    def __str__(self) -> str:
        return f"{mask_name(self.person)}：{self.text[:20]}"

    def _current(self, based_on: int | None) -> str:
        row = Wish.objects.select_for_update().values_list("version", "status").get(pk=self.pk)
        if based_on is None or row[0] != based_on:
            raise StaleVersion(row[0], based_on)
        return str(row[1])

    def claim(self, member: ReportingMember | None, unit: CoBuildingUnit | None, on: dt.date,
              based_on: int | None) -> None:
        """Claim for a member (it counts as their 五个一 wish) or a unit; only an open wish."""
        if (member is None) == (unit is None):
            raise ValidationError(gettext("请指定认领的党员或单位之一"), code="claimant")
        with transaction.atomic():
            if self._current(based_on) != WishStatus.OPEN:
                raise ValidationError(gettext("只有待认领的心愿可以认领"), code="bad_move")
            self.member, self.unit, self.claimed_on = member, unit, on
            self.status = WishStatus.CLAIMED
            self.version += 1
            self.save()
            if member is not None and member.reported_community_id is not None:
                MemberActivity.record(member, DutyKind.WISH, on,
                                      gettext("认领微心愿 #%(id)s") % {"id": self.pk})

    def fulfil(self, on: dt.date, note: str, based_on: int | None) -> None:
        """Record the wish as fulfilled; only a claimed one."""
        with transaction.atomic():
            if self._current(based_on) != WishStatus.CLAIMED:
                raise ValidationError(gettext("只有已认领的心愿可以记为实现"), code="bad_move")
            if self.claimed_on is not None and on < self.claimed_on:
                raise ValidationError(gettext("实现日期不能早于认领日期"), code="bad_date")
            self.status, self.fulfilled_on, self.note = WishStatus.FULFILLED, on, note
            self.version += 1
            self.save()

    def cancel(self, note: str, based_on: int | None) -> None:
        """Withdraw a wish that is not fulfilled (the resident no longer needs it)."""
        with transaction.atomic():
            if self._current(based_on) in (WishStatus.FULFILLED, WishStatus.CANCELLED):
                raise ValidationError(gettext("已实现或已撤销的心愿不能撤销"), code="bad_move")
            self.status, self.note = WishStatus.CANCELLED, note
            self.version += 1
            self.save()
