"""Residential compounds and buildings with their households."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex

from .base import SRID, Tracked, non_negative, unique_code
from .hierarchy import Community


class Compound(Tracked):
    """小区: a residential compound."""

    code = models.CharField("编号 code", max_length=40, blank=True, default="",
                            help_text="外部编号 external code; re-imports match on it")
    name = models.CharField("名称 name", max_length=150)
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="compounds", verbose_name="社区 community")
    geom = models.PolygonField("边界 boundary", srid=SRID)
    households = models.PositiveIntegerField("户数 households", default=0)
    households_estimated = models.BooleanField("户数为估算 households estimated", default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    class Meta:
        verbose_name = "小区 compound"
        verbose_name_plural = "小区 compounds"
        ordering = ["name"]
        constraints = [non_negative("households", "compound"), unique_code("compound")]
        # Name search on the resident finder: prefix, substring and fuzzy (pg_trgm).
        indexes = [GinIndex(fields=["name"], name="compound_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


class Building(Tracked):
    """楼栋 with a footprint, levels and households."""

    code = models.CharField("编号 code", max_length=40, blank=True, default="",
                            help_text="外部编号 external code; re-imports match on it")
    name = models.CharField("名称 name", max_length=150, blank=True, default="")
    compound = models.ForeignKey(Compound, models.SET_NULL, null=True, blank=True,
                                 related_name="buildings", verbose_name="小区 compound")
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="buildings", verbose_name="社区 community")
    geom = models.PolygonField("轮廓 footprint", srid=SRID)
    levels = models.PositiveSmallIntegerField("层数 levels", null=True, blank=True)
    residential = models.BooleanField("住宅 residential", default=True)
    households = models.PositiveIntegerField("户数 households", default=0)
    households_estimated = models.BooleanField("户数为估算 households estimated", default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    class Meta:
        verbose_name = "楼栋 building"
        verbose_name_plural = "楼栋 buildings"
        constraints = [
            non_negative("households", "building"),
            unique_code("building"),
            models.CheckConstraint(
                condition=models.Q(levels__isnull=True) | models.Q(levels__gte=1),
                name="building_levels_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"楼栋 #{self.pk}"
