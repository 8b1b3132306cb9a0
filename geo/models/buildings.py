"""Residential compounds and buildings with their households."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import SRID, Tracked, non_negative, unique_code
from .hierarchy import Community


class Compound(Tracked):
    """小区: a residential compound."""

    code = models.CharField(_("编号"), max_length=40, blank=True, default="",
                            help_text=_("外部编号"))
    name = models.CharField(_("名称"), max_length=150)
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="compounds", verbose_name=_("社区"))
    geom = models.PolygonField(_("边界"), srid=SRID)
    households = models.PositiveIntegerField(_("户数"), default=0)
    households_estimated = models.BooleanField(_("户数为估算"), default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = pgettext_lazy("plural", "小区")
        ordering = ["name"]
        constraints = [non_negative("households", "compound"), unique_code("compound")]
        # Name search on the resident finder: prefix, substring and fuzzy (pg_trgm).
        indexes = [GinIndex(fields=["name"], name="compound_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


class Building(Tracked):
    """楼栋 with a footprint, levels and households."""

    code = models.CharField(_("编号"), max_length=40, blank=True, default="",
                            help_text=_("外部编号"))
    name = models.CharField(_("名称"), max_length=150, blank=True, default="")
    compound = models.ForeignKey(Compound, models.SET_NULL, null=True, blank=True,
                                 related_name="buildings", verbose_name=_("小区"))
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="buildings", verbose_name=_("社区"))
    geom = models.PolygonField(_("轮廓"), srid=SRID)
    levels = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    residential = models.BooleanField(_("住宅"), default=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    households_estimated = models.BooleanField(_("户数为估算"), default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = pgettext_lazy("plural", "楼栋")
        constraints = [
            non_negative("households", "building"),
            unique_code("building"),
            models.CheckConstraint(
                condition=models.Q(levels__isnull=True) | models.Q(levels__gte=1),
                name="building_levels_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("楼栋 #%(pk)s") % {"pk": self.pk}
