"""District and street leaders linked to communities they look after (挂点联系)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .audit import audited
from .base import Tracked
from .hierarchy import Community, District, Street


class LeaderLevel(models.TextChoices):
    DISTRICT = "district", _("区级领导")
    STREET = "street", _("街道领导")


class Leader(Tracked):
    """A leader of a district or street office (an official: the name is public)."""

    name = models.CharField(_("姓名"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=LeaderLevel.choices)
    position = models.CharField(_("职务"), max_length=100)
    district = models.ForeignKey(District, models.PROTECT, related_name="leaders",
                                 verbose_name=_("区/县"))
    street = models.ForeignKey(Street, models.PROTECT, null=True, blank=True,
                               related_name="leaders", verbose_name=_("街道"))
    history = audited()

    class Meta:
        verbose_name = _("挂点领导")
        verbose_name_plural = pgettext_lazy("plural", "挂点领导")
        ordering = ["district__code", "level", "name"]
        constraints = [models.CheckConstraint(
            condition=models.Q(level="district", street__isnull=True)
            | models.Q(level="street", street__isnull=False), name="street_leader_has_street")]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）"

    def clean(self) -> None:
        if self.level == LeaderLevel.STREET and self.street_id is None:
            raise ValidationError({"street": ValidationError(
                gettext("街道领导须填写所在街道"), code="street_required")})
        if self.level == LeaderLevel.DISTRICT:
            self.street = None
        if self.street is not None and self.street.district_id != self.district_id:
            raise ValidationError({"street": ValidationError(
                gettext("街道不在所选区县内"), code="street_outside_district")})


class LeaderLink(Tracked):
    """One leader looking after one community from ``since`` until ``until`` (open: now)."""

    leader = models.ForeignKey(Leader, models.CASCADE, related_name="links",
                               verbose_name=_("领导"))
    community = models.ForeignKey(Community, models.CASCADE, related_name="leader_links",
                                  verbose_name=_("社区"))
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("挂点联系")
        verbose_name_plural = pgettext_lazy("plural", "挂点联系")
        ordering = ["community__code", "-since"]
        constraints = [
            models.CheckConstraint(condition=models.Q(until__isnull=True)
                                   | models.Q(until__gte=models.F("since")),
                                   name="link_ends_after_it_starts"),
            models.UniqueConstraint(fields=["leader", "community"],
                                    condition=models.Q(until__isnull=True),
                                    name="one_open_link_per_leader_community"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.community.name}"

    def clean(self) -> None:
        if self.until is not None and self.until < self.since:
            raise ValidationError({"until": ValidationError(
                gettext("结束日期不能早于开始日期"), code="ends_before_start")})
        leader = self.leader
        if leader.street_id is not None:
            ok = self.community.street_id == leader.street_id
        else:
            ok = self.community.street.district_id == leader.district_id
        if not ok:
            raise ValidationError({"community": ValidationError(
                gettext("社区不在该领导所在的区县或街道内"), code="outside_leader_area")})

    @classmethod
    def open_link(cls, leader: Leader, community: Community, since: dt.date,
                  note: str = "") -> LeaderLink:
        """Link a leader to a community from ``since``; the open link again is returned."""
        with transaction.atomic():
            Leader.objects.select_for_update().filter(pk=leader.pk).first()
            found = cls.objects.filter(leader=leader, community=community,
                                       until__isnull=True).first()
            if found is not None:
                return found
            link = cls(leader=leader, community=community, since=since, note=note)
            link.full_clean()
            link.save()
            return link

    def close(self, until: dt.date, based_on: int | None) -> None:
        """End the link on ``until`` (kept as history); StaleVersion when edited since."""
        self.until = until
        self.full_clean()
        self.save_if_current(based_on)
