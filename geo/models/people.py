"""In-service party members reporting to communities (personal data: sensitive)."""

from __future__ import annotations

from django.contrib.gis.db import models

from geo.analysis.personal import mask_name

from .base import SRID, Tracked
from .facilities import CoBuildingUnit
from .hierarchy import Community


class ReportingMember(Tracked):
    """在职党员: works at a unit, lives somewhere, reports to a community."""

    name = models.CharField("姓名 name", max_length=50)
    phone = models.CharField("电话 phone", max_length=40, blank=True, default="")
    id_number = models.CharField("身份证号 ID number", max_length=18, blank=True, default="")
    home_unit = models.ForeignKey(CoBuildingUnit, models.SET_NULL, null=True, blank=True,
                                  related_name="members", verbose_name="所在单位 home unit")
    residence = models.PointField("居住地 residence", srid=SRID)
    residence_community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="resident_members",
        verbose_name="居住社区 residence community")
    reported_community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="reporting_members",
        verbose_name="报到社区 reported-to community")
    reported_on = models.DateField("报到日期 reported on", null=True, blank=True)

    class Meta:
        verbose_name = "在职党员报到 reporting member"
        verbose_name_plural = "在职党员报到 reporting members"
        ordering = ["name"]
        permissions = [("view_personal_data",
                        "查看党员姓名电话身份证号 view members' names, phones and ID numbers")]

    def __str__(self) -> str:
        # Shown in titles, logs and history lists: masked, so that only the fields that are
        # checked against the viewer's role ever show the whole name.
        return f"{mask_name(self.name)} #{self.pk}"
