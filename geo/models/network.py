"""The walking network as nodes and undirected edges."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import SRID


class HighwayClass(models.TextChoices):
    """Road hierarchy, after OSM's highway=* values that pedestrians may use."""

    TRUNK = "trunk", _("快速路")
    PRIMARY = "primary", _("主干路")
    SECONDARY = "secondary", _("次干路")
    TERTIARY = "tertiary", _("支路")
    RESIDENTIAL = "residential", _("小区路")
    SERVICE = "service", _("内部路")
    LIVING_STREET = "living_street", _("生活街")
    PEDESTRIAN = "pedestrian", _("步行街")
    FOOTWAY = "footway", _("人行道")
    PATH = "path", _("小路")
    STEPS = "steps", _("台阶")
    OTHER = "other", _("其他")


class WalkNode(models.Model):
    """A junction or end point of the walking network."""

    geom = models.PointField(_("位置"), srid=SRID)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True, db_index=True)
    source = models.CharField(_("数据源"), max_length=200, blank=True, default="",
                              db_index=True)

    class Meta:
        verbose_name = _("路网节点")
        verbose_name_plural = pgettext_lazy("plural", "路网节点")

    def __str__(self) -> str:
        return f"node {self.pk}"


class WalkEdge(models.Model):
    """An undirected walkable segment between two nodes."""

    start = models.ForeignKey(WalkNode, models.CASCADE, related_name="out_edges",
                              verbose_name=_("起点"))
    end = models.ForeignKey(WalkNode, models.CASCADE, related_name="in_edges",
                            verbose_name=_("终点"))
    geom = models.LineStringField(_("线形"), srid=SRID)
    length_m = models.FloatField(_("长度"))
    highway = models.CharField(_("道路等级"), max_length=16, choices=HighwayClass.choices,
                               default=HighwayClass.OTHER)
    name = models.CharField(_("路名"), max_length=150, blank=True, default="")
    osm_way_id = models.BigIntegerField("OSM way id", null=True, blank=True)
    source = models.CharField(_("数据源"), max_length=200, blank=True, default="",
                              db_index=True)

    class Meta:
        verbose_name = _("路网边")
        verbose_name_plural = pgettext_lazy("plural", "路网边")
        constraints = [
            models.CheckConstraint(condition=models.Q(length_m__gt=0),
                                   name="edge_length_positive"),
            models.CheckConstraint(condition=~models.Q(start=models.F("end")),
                                   name="edge_not_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.highway} ({self.length_m:.0f} m)"


class NetworkVersion(models.Model):
    """One row whose token changes with every statement that changes the network.

    Kept by database triggers (``rules_sql.NETWORK_VERSION``), read by every process that
    caches the walking graph to know whether its copy is current.
    """

    token = models.UUIDField(_("版本标识"))

    class Meta:
        verbose_name = _("路网版本")
        verbose_name_plural = pgettext_lazy("plural", "路网版本")
