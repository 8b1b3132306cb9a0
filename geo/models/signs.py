"""指引牌 direction signs to a service center: proposed by the planner, approved, installed."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .audit import audited
from .base import SRID, StaleVersion, Tracked
from .facilities import ServiceCenter


class SignStatus(models.TextChoices):
    PROPOSED = "proposed", _("建议")
    APPROVED = "approved", _("已批准")
    INSTALLED = "installed", _("已安装")
    REMOVED = "removed", _("已撤除")


# Approved and installed signs stay when the plan is run again (it plans around them).
KEPT = (SignStatus.APPROVED, SignStatus.INSTALLED)
MOVES = {SignStatus.PROPOSED: {SignStatus.APPROVED, SignStatus.REMOVED},
         SignStatus.APPROVED: {SignStatus.INSTALLED, SignStatus.REMOVED},
         SignStatus.INSTALLED: {SignStatus.REMOVED}}


class DirectionSign(Tracked):
    """One sign on a main road: where, which way and how far to its center, what it says."""

    center = models.ForeignKey(ServiceCenter, models.CASCADE, related_name="signs",
                               verbose_name=_("服务中心"))
    location = models.PointField(_("位置"), srid=SRID)
    road = models.CharField(_("所在道路"), max_length=100, blank=True, default="")
    walk_m = models.PositiveIntegerField(_("步行距离（米）"))
    bearing_deg = models.FloatField(_("中心方位角（度）"))
    route_bearing_deg = models.FloatField(_("箭头方位角（度）"))
    households = models.PositiveIntegerField(_("引导户数"), default=0)
    text = models.CharField(_("牌面文字"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=SignStatus.choices,
                              default=SignStatus.PROPOSED)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("指引牌")
        verbose_name_plural = pgettext_lazy("plural", "指引牌")
        ordering = ["center__name", "-households", "pk"]

    def __str__(self) -> str:
        return self.text

    def advance(self, status: str, note: str, on: dt.date, based_on: int | None) -> None:
        """Approve, install or remove; StaleVersion when edited since it was read."""
        with transaction.atomic():
            current = (DirectionSign.objects.select_for_update()
                       .values_list("version", "status").get(pk=self.pk))
            if based_on is None or current[0] != based_on:
                raise StaleVersion(current[0], based_on)
            if status not in MOVES.get(SignStatus(current[1]), set()):
                raise ValidationError(gettext("不能从“%(from)s”改为“%(to)s”") % {
                    "from": SignStatus(current[1]).label, "to": SignStatus(status).label},
                    code="bad_move")
            self.status = status
            if status == SignStatus.INSTALLED:
                self.installed_on = on
            if note.strip():
                self.note = (f"{self.note}\n" if self.note else "") + \
                    f"{on.isoformat()} {note.strip()}"
            self.version = current[0] + 1
            self.save()
