"""In-service party members reporting to communities (personal data: sensitive)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from geo.analysis.personal import mask_name

from .base import SRID, Tracked
from .facilities import CoBuildingUnit
from .hierarchy import Community


class ReportingMember(Tracked):
    """在职党员: works at a unit, lives somewhere, reports to a community."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=40, blank=True, default="")
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="")
    home_unit = models.ForeignKey(CoBuildingUnit, models.SET_NULL, null=True, blank=True,
                                  related_name="members", verbose_name=_("所在单位"))
    residence = models.PointField(_("居住地"), srid=SRID)
    residence_community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="resident_members",
        verbose_name=_("居住社区"))
    reported_community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="reporting_members",
        verbose_name=_("报到社区"))
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = pgettext_lazy("plural", "在职党员报到")
        ordering = ["name"]
        permissions = [("view_personal_data",
                        _("查看党员姓名电话身份证号"))]

    def __str__(self) -> str:
        # Shown in titles, logs and history lists: masked, so that only the fields that are
        # checked against the viewer's role ever show the whole name.
        return f"{mask_name(self.name)} #{self.pk}"
