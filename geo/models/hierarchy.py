"""Administrative hierarchy: district → street → community → grid unit."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .audit import audited
from .base import SRID, Tracked, code_check, non_negative, validate_level_code


class District(Tracked):
    """区/县, coded by GB/T 2260 (6 digits)."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    # Made by ``import_layer --create-parents`` from a community file: 99xxxx, no province
    # has prefix 99 (GB/T 2260), so a later import of the real code never collides.
    code_provisional = models.BooleanField(_("临时代码"), default=False)
    name = models.CharField(_("名称"), max_length=100)
    geom = models.MultiPolygonField(_("边界"), srid=SRID)

    history = audited()

    class Meta:
        verbose_name = _("区/县")
        verbose_name_plural = pgettext_lazy("plural", "区/县")
        ordering = ["code"]
        constraints = [code_check("district", 6)]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("district", self.code, None)


class Street(Tracked):
    """街道 (9-digit code under its district)."""

    code = models.CharField(_("街道代码"), max_length=9, unique=True)
    code_provisional = models.BooleanField(_("临时代码"), default=False)
    name = models.CharField(_("名称"), max_length=100)
    district = models.ForeignKey(District, models.PROTECT, related_name="streets",
                                 verbose_name=_("区/县"))
    geom = models.MultiPolygonField(_("边界"), srid=SRID)

    history = audited()

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = pgettext_lazy("plural", "街道")
        ordering = ["code"]
        constraints = [code_check("street", 9)]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("street", self.code, self.district.code if self.district_id else None)


class AreaClass(models.TextChoices):
    """Urban class of a community; service funds differ by class (DESIGN §3 funds)."""

    CENTRAL = "central", _("中心城区")
    COUNTY = "county", _("县级城区")


class Community(Tracked):
    """社区 (12-digit code under its street)."""

    code = models.CharField(_("社区代码"), max_length=12, unique=True)
    code_provisional = models.BooleanField(_("临时代码"), default=False)
    name = models.CharField(_("名称"), max_length=100)
    street = models.ForeignKey(Street, models.PROTECT, related_name="communities",
                               verbose_name=_("街道"))
    geom = models.MultiPolygonField(_("边界"), srid=SRID)
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)
    party_members = models.PositiveIntegerField(_("党员数"), default=0)
    area_class = models.CharField(_("城区类别"), max_length=10,
                                  choices=AreaClass.choices, default=AreaClass.CENTRAL)
    # Villages (村) count apart on the weak list: at least 10% of them, 5% of communities.
    is_village = models.BooleanField(_("村（涉农）"), default=False)

    history = audited()

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = pgettext_lazy("plural", "社区")
        ordering = ["code"]
        constraints = [
            code_check("community", 12),
            non_negative("households", "community"),
            non_negative("population", "community"),
        ]
        # Name search on the resident finder: prefix, substring and fuzzy (pg_trgm).
        indexes = [GinIndex(fields=["name"], name="community_name_trgm",
                            opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("community", self.code, self.street.code if self.street_id else None)


class ZoneType(models.TextChoices):
    """Zone type of a grid unit."""

    RESIDENTIAL = "residential", _("生活居住区")
    PRODUCTION = "production", _("生产作业区")
    ROAD_TRAFFIC = "road_traffic", _("道路交通区")


class GridUnit(Tracked):
    """网格: a closed polygon inside its community (15-digit code)."""

    code = models.CharField(_("网格代码"), max_length=15, unique=True)
    code_provisional = models.BooleanField(_("临时代码"), default=False)
    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey(Community, models.PROTECT, related_name="grids",
                                  verbose_name=_("社区"))
    geom = models.MultiPolygonField(_("边界"), srid=SRID)
    zone_type = models.CharField(_("网格类型"), max_length=16, choices=ZoneType.choices,
                                 default=ZoneType.RESIDENTIAL)
    households = models.PositiveIntegerField(_("户数"), default=0)
    households_estimated = models.BooleanField(_("户数为估算"), default=False)
    leader = models.CharField(_("网格长"), max_length=50, blank=True, default="")
    workers = models.JSONField(_("网格员"), default=list, blank=True,
                               help_text='[{"name": "...", "phone": "..."}]')
    party_branch = models.CharField(_("网格党支部/党小组"), max_length=100,
                                    blank=True, default="")

    history = audited()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = pgettext_lazy("plural", "网格")
        ordering = ["code"]
        constraints = [code_check("grid", 15), non_negative("households", "grid")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("grid", self.code,
                            self.community.code if self.community_id else None)
