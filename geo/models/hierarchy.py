"""Administrative hierarchy: district → street → community → grid unit."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex

from .audit import audited
from .base import SRID, Tracked, code_check, non_negative, validate_level_code


class District(Tracked):
    """区/县, coded by GB/T 2260 (6 digits)."""

    code = models.CharField("区划代码 code", max_length=6, unique=True)
    # Made by ``import_layer --create-parents`` from a community file: 99xxxx, no province
    # has prefix 99 (GB/T 2260), so a later import of the real code never collides.
    code_provisional = models.BooleanField("临时代码 provisional code", default=False)
    name = models.CharField("名称 name", max_length=100)
    geom = models.MultiPolygonField("边界 boundary", srid=SRID)

    history = audited()

    class Meta:
        verbose_name = "区/县 district"
        verbose_name_plural = "区/县 districts"
        ordering = ["code"]
        constraints = [code_check("district", 6)]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("district", self.code, None)


class Street(Tracked):
    """街道 (9-digit code under its district)."""

    code = models.CharField("街道代码 code", max_length=9, unique=True)
    code_provisional = models.BooleanField("临时代码 provisional code", default=False)
    name = models.CharField("名称 name", max_length=100)
    district = models.ForeignKey(District, models.PROTECT, related_name="streets",
                                 verbose_name="区/县 district")
    geom = models.MultiPolygonField("边界 boundary", srid=SRID)

    history = audited()

    class Meta:
        verbose_name = "街道 street"
        verbose_name_plural = "街道 streets"
        ordering = ["code"]
        constraints = [code_check("street", 9)]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("street", self.code, self.district.code if self.district_id else None)


class AreaClass(models.TextChoices):
    """Urban class of a community; service funds differ by class (DESIGN §3 funds)."""

    CENTRAL = "central", "中心城区 central city"
    COUNTY = "county", "县级城区 county town"


class Community(Tracked):
    """社区 (12-digit code under its street)."""

    code = models.CharField("社区代码 code", max_length=12, unique=True)
    code_provisional = models.BooleanField("临时代码 provisional code", default=False)
    name = models.CharField("名称 name", max_length=100)
    street = models.ForeignKey(Street, models.PROTECT, related_name="communities",
                               verbose_name="街道 street")
    geom = models.MultiPolygonField("边界 boundary", srid=SRID)
    households = models.PositiveIntegerField("户数 households", default=0)
    population = models.PositiveIntegerField("人口 population", default=0)
    party_members = models.PositiveIntegerField("党员数 party members", default=0)
    area_class = models.CharField("城区类别 area class", max_length=10,
                                  choices=AreaClass.choices, default=AreaClass.CENTRAL)

    history = audited()

    class Meta:
        verbose_name = "社区 community"
        verbose_name_plural = "社区 communities"
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

    RESIDENTIAL = "residential", "生活居住区 residential"
    PRODUCTION = "production", "生产作业区 production"
    ROAD_TRAFFIC = "road_traffic", "道路交通区 road-traffic"


class GridUnit(Tracked):
    """网格: a closed polygon inside its community (15-digit code)."""

    code = models.CharField("网格代码 code", max_length=15, unique=True)
    code_provisional = models.BooleanField("临时代码 provisional code", default=False)
    name = models.CharField("名称 name", max_length=100)
    community = models.ForeignKey(Community, models.PROTECT, related_name="grids",
                                  verbose_name="社区 community")
    geom = models.MultiPolygonField("边界 boundary", srid=SRID)
    zone_type = models.CharField("网格类型 zone type", max_length=16, choices=ZoneType.choices,
                                 default=ZoneType.RESIDENTIAL)
    households = models.PositiveIntegerField("户数 households", default=0)
    households_estimated = models.BooleanField("户数为估算 households estimated", default=False)
    leader = models.CharField("网格长 grid leader", max_length=50, blank=True, default="")
    workers = models.JSONField("网格员 grid workers", default=list, blank=True,
                               help_text='[{"name": "...", "phone": "..."}]')
    party_branch = models.CharField("网格党支部/党小组 party branch", max_length=100,
                                    blank=True, default="")

    history = audited()

    class Meta:
        verbose_name = "网格 grid unit"
        verbose_name_plural = "网格 grid units"
        ordering = ["code"]
        constraints = [code_check("grid", 15), non_negative("households", "grid")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        validate_level_code("grid", self.code,
                            self.community.code if self.community_id else None)
