"""Water and land use drawn under everything else on the offline basemap."""

from __future__ import annotations

from django.contrib.gis.db import models

from .base import SRID


class LandKind(models.TextChoices):
    """What an area of the basemap shows."""

    WATER = "water", "水体 water"
    PARK = "park", "公园绿地 park"
    RESIDENTIAL = "residential", "居住用地 residential"
    COMMERCIAL = "commercial", "商业用地 commercial"
    INDUSTRIAL = "industrial", "工业用地 industrial"
    EDUCATION = "education", "教育用地 education"
    OTHER = "other", "其他用地 other"


class LandFeature(models.Model):
    """An OSM water or land-use area, kept for the basemap only."""

    kind = models.CharField("类别 kind", max_length=12, choices=LandKind.choices)
    name = models.CharField("名称 name", max_length=150, blank=True, default="")
    geom = models.MultiPolygonField("范围 area", srid=SRID)
    osm_id = models.BigIntegerField("OSM id")
    osm_type = models.CharField("OSM 类型 element", max_length=8, default="way")
    source = models.CharField("数据源 source", max_length=200, db_index=True)

    class Meta:
        verbose_name = "底图面 basemap area"
        verbose_name_plural = "底图面 basemap areas"
        constraints = [
            models.UniqueConstraint(fields=["source", "osm_type", "osm_id"],
                                    name="landfeature_osm_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
