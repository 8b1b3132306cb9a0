"""Each year's posts, social workers and funds of a community, and party staff of a street."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .audit import audited
from .base import YEARS, Tracked
from .hierarchy import Community, Street


class CommunityStaffing(Tracked):
    """设岗定责、专职社工、工作经费: what a community reported for one year."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="staffing",
                                  verbose_name=_("社区"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEARS)
    posts = models.PositiveSmallIntegerField(_("设岗数"), validators=[MaxValueValidator(200)])
    social_workers = models.PositiveSmallIntegerField(
        _("专职社区工作者"), validators=[MaxValueValidator(500)])
    funds_yuan = models.DecimalField(_("工作经费（元）"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(0)])
    history = audited()

    class Meta:
        verbose_name = _("社区人员经费")
        verbose_name_plural = pgettext_lazy("plural", "社区人员经费")
        ordering = ["-year", "community__code"]
        constraints = [models.UniqueConstraint(fields=["community", "year"],
                                               name="one_staffing_per_community_year")]

    def __str__(self) -> str:
        return f"{self.community.name} {self.year}"


class StreetStaffing(Tracked):
    """街道党务工作力量: a street office's party staff for one year."""

    street = models.ForeignKey(Street, models.CASCADE, related_name="staffing",
                               verbose_name=_("街道"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEARS)
    party_staff = models.PositiveSmallIntegerField(_("党务工作人员"),
                                                   validators=[MaxValueValidator(500)])
    history = audited()

    class Meta:
        verbose_name = _("街道党务人员")
        verbose_name_plural = pgettext_lazy("plural", "街道党务人员")
        ordering = ["-year", "street__code"]
        constraints = [models.UniqueConstraint(fields=["street", "year"],
                                               name="one_staffing_per_street_year")]

    def __str__(self) -> str:
        return f"{self.street.name} {self.year}"
