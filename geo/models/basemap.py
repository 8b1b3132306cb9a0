"""Water and land use drawn under everything else on the offline basemap."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import SRID


class LandKind(models.TextChoices):
    """What an area of the basemap shows."""

    WATER = "water", _("水体")
    PARK = "park", _("公园绿地")
    RESIDENTIAL = "residential", _("居住用地")
    COMMERCIAL = "commercial", _("商业用地")
    INDUSTRIAL = "industrial", _("工业用地")
    EDUCATION = "education", _("教育用地")
    TRANSPORT = "transport", _("交通用地")
    OTHER = "other", _("其他用地")


class LandFeature(models.Model):
    """An OSM water or land-use area, kept for the basemap only."""

    kind = models.CharField(_("类别"), max_length=12, choices=LandKind.choices)
    name = models.CharField(_("名称"), max_length=150, blank=True, default="")
    geom = models.MultiPolygonField(_("范围"), srid=SRID)
    osm_id = models.BigIntegerField("OSM id")
    osm_type = models.CharField(_("OSM 类型"), max_length=8, default="way")
    source = models.CharField(_("数据源"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("底图面")
        verbose_name_plural = pgettext_lazy("plural", "底图面")
        constraints = [
            models.UniqueConstraint(fields=["source", "osm_type", "osm_id"],
                                    name="landfeature_osm_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
