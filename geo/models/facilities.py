"""Party-mass service centers, co-building units and their pairings."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.geos import LineString
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .audit import audited
from .base import SRID, Tracked, non_negative, unique_code
from .hierarchy import Community, Street


class CenterLevel(models.TextChoices):
    """Level of a 党群服务中心/站."""

    DISTRICT = "district", _("区级")
    STREET = "street", _("街道级")
    COMMUNITY = "community", _("社区级")
    SITE = "site", _("站点")


class CenterService(models.TextChoices):
    """Service windows of a center."""

    PARTY = "party", _("党员服务")
    GENERAL = "general", _("综合业务")
    PROXY = "proxy", _("帮办代办")
    CONSULT = "consult", _("咨询投诉")


class ServiceCenter(Tracked):
    """党群服务中心/站 at a point, optionally with a footprint."""

    code = models.CharField(_("编号"), max_length=40, blank=True, default="",
                            help_text=_("外部编号"))
    name = models.CharField(_("名称"), max_length=150)
    level = models.CharField(_("层级"), max_length=10, choices=CenterLevel.choices)
    street = models.ForeignKey(Street, models.SET_NULL, null=True, blank=True,
                               related_name="centers", verbose_name=_("街道"))
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="centers", verbose_name=_("社区"))
    location = models.PointField(_("位置"), srid=SRID)
    footprint = models.PolygonField(_("占地"), srid=SRID, null=True, blank=True)
    floor_area = models.FloatField(_("建筑面积（m²）"), default=0)
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True,
                                     default="")
    services = ArrayField(models.CharField(max_length=16, choices=CenterService.choices),
                          verbose_name=_("服务窗口"), default=list, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True, default="")
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    licensed = models.BooleanField(_("可挂牌"), default=True)
    comprehensive = models.BooleanField(_("综合性中心"), default=False)

    history = audited()

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = pgettext_lazy("plural", "党群服务中心")
        ordering = ["level", "name"]
        constraints = [non_negative("floor_area", "center"), unique_code("center")]
        # Name search on the resident finder: prefix, substring and fuzzy (pg_trgm).
        indexes = [GinIndex(fields=["name"], name="center_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


class UnitType(models.TextChoices):
    """Kind of a 结对共建单位."""

    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SOE = "soe", _("国有企业")
    UNIVERSITY = "university", _("高校")
    PRIVATE = "private", _("非公企业")
    SOCIAL = "social", _("社会组织")


class CoBuildingUnit(Tracked):
    """结对共建单位: an organisation that pairs with communities."""

    code = models.CharField(_("编号"), max_length=40, blank=True, default="",
                            help_text=_("外部编号"))
    name = models.CharField(_("名称"), max_length=150)
    unit_type = models.CharField(_("类型"), max_length=12, choices=UnitType.choices)
    location = models.PointField(_("位置"), srid=SRID)
    footprint = models.PolygonField(_("占地"), srid=SRID, null=True, blank=True)
    party_members = models.PositiveIntegerField(_("党员数"), default=0)
    capacity = models.PositiveSmallIntegerField(_("可结对社区数"), default=1)
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    phone = models.CharField(_("电话"), max_length=40, blank=True, default="")
    candidate = models.BooleanField(_("候选（未确认）"), default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    history = audited()

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = pgettext_lazy("plural", "共建单位")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1),
                                   name="unit_capacity_at_least_one"),
            unique_code("unit"),
        ]

    def __str__(self) -> str:
        return self.name


class PairingMethod(models.TextChoices):
    """How a pairing was proposed."""

    OPTIMAL = "optimal", _("最优分配")
    GREEDY = "greedy", _("就近贪心")
    MANUAL = "manual", _("手工")


class PairingStatus(models.TextChoices):
    """Life cycle of a pairing; confirmed and signed ones are locked for the optimiser."""

    PROPOSED = "proposed", _("建议")
    CONFIRMED = "confirmed", _("已确认")
    SIGNED = "signed", _("已签约")


class Pairing(Tracked):
    """结对共建: a unit paired with a community."""

    unit = models.ForeignKey(CoBuildingUnit, models.CASCADE, related_name="pairings",
                             verbose_name=_("共建单位"))
    community = models.ForeignKey(Community, models.CASCADE, related_name="pairings",
                                  verbose_name=_("社区"))
    distance_m = models.FloatField(_("距离"), null=True, blank=True)
    method = models.CharField(_("方法"), max_length=10, choices=PairingMethod.choices,
                              default=PairingMethod.MANUAL)
    status = models.CharField(_("状态"), max_length=10, choices=PairingStatus.choices,
                              default=PairingStatus.PROPOSED)
    agreement_date = models.DateField(_("签约日期"), null=True, blank=True)

    history = audited()

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = pgettext_lazy("plural", "结对共建")
        constraints = [
            models.UniqueConstraint(fields=["unit", "community"], name="pairing_unique"),
            models.CheckConstraint(
                condition=models.Q(distance_m__isnull=True) | models.Q(distance_m__gte=0),
                name="pairing_distance_non_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | models.Q(agreement_date__isnull=False),
                name="pairing_signed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.community}"

    @property
    def line(self) -> LineString:
        """Line from the unit to the community's own center, else its interior point."""
        try:
            end = self.community.own_center.location
        except CommunityOwnCenter.DoesNotExist:
            end = self.community.geom.point_on_surface
        return LineString(self.unit.location, end, srid=SRID)

    def clean(self) -> None:
        if self.status == PairingStatus.SIGNED and self.agreement_date is None:
            raise ValidationError({"agreement_date": _("已签约的结对需要签约日期")},
                                  code="signed_no_date")


class CommunityOwnCenter(models.Model):
    """A community's own center: the view ``geo_community_own_center`` (migration 0010).

    The highest level, then the largest, then the oldest; every layer that draws or
    measures "the community's center" reads it here (services, tiles, reports, the API).
    """

    community = models.OneToOneField(Community, models.DO_NOTHING, primary_key=True,
                                     related_name="own_center", db_column="community_id")
    center = models.ForeignKey(ServiceCenter, models.DO_NOTHING, related_name="+",
                               db_column="center_id")
    location = models.PointField(srid=SRID)

    class Meta:
        managed = False
        db_table = "geo_community_own_center"
        verbose_name = _("社区自有中心")
