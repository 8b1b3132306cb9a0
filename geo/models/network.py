"""The walking network as nodes and undirected edges."""

from __future__ import annotations

from django.contrib.gis.db import models

from .base import SRID


class HighwayClass(models.TextChoices):
    """Road hierarchy, after OSM's highway=* values that pedestrians may use."""

    TRUNK = "trunk", "快速路 trunk"
    PRIMARY = "primary", "主干路 primary"
    SECONDARY = "secondary", "次干路 secondary"
    TERTIARY = "tertiary", "支路 tertiary"
    RESIDENTIAL = "residential", "小区路 residential"
    SERVICE = "service", "内部路 service"
    LIVING_STREET = "living_street", "生活街 living street"
    PEDESTRIAN = "pedestrian", "步行街 pedestrian"
    FOOTWAY = "footway", "人行道 footway"
    PATH = "path", "小路 path"
    STEPS = "steps", "台阶 steps"
    OTHER = "other", "其他 other"


class WalkNode(models.Model):
    """A junction or end point of the walking network."""

    geom = models.PointField("位置 location", srid=SRID)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True, db_index=True)
    source = models.CharField("数据源 source", max_length=200, blank=True, default="",
                              db_index=True)

    class Meta:
        verbose_name = "路网节点 walk node"
        verbose_name_plural = "路网节点 walk nodes"

    def __str__(self) -> str:
        return f"node {self.pk}"


class WalkEdge(models.Model):
    """An undirected walkable segment between two nodes."""

    start = models.ForeignKey(WalkNode, models.CASCADE, related_name="out_edges",
                              verbose_name="起点 start")
    end = models.ForeignKey(WalkNode, models.CASCADE, related_name="in_edges",
                            verbose_name="终点 end")
    geom = models.LineStringField("线形 geometry", srid=SRID)
    length_m = models.FloatField("长度 length (m)")
    highway = models.CharField("道路等级 highway", max_length=16, choices=HighwayClass.choices,
                               default=HighwayClass.OTHER)
    name = models.CharField("路名 name", max_length=150, blank=True, default="")
    osm_way_id = models.BigIntegerField("OSM way id", null=True, blank=True)
    source = models.CharField("数据源 source", max_length=200, blank=True, default="",
                              db_index=True)

    class Meta:
        verbose_name = "路网边 walk edge"
        verbose_name_plural = "路网边 walk edges"
        constraints = [
            models.CheckConstraint(condition=models.Q(length_m__gt=0),
                                   name="edge_length_positive"),
            models.CheckConstraint(condition=~models.Q(start=models.F("end")),
                                   name="edge_not_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.highway} ({self.length_m:.0f} m)"
