"""Party-mass service centers, co-building units and their pairings."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.geos import LineString
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError

from .audit import audited
from .base import SRID, Tracked, non_negative, unique_code
from .hierarchy import Community, Street


class CenterLevel(models.TextChoices):
    """Level of a 党群服务中心/站."""

    DISTRICT = "district", "区级 district"
    STREET = "street", "街道级 street"
    COMMUNITY = "community", "社区级 community"
    SITE = "site", "站点 site"


class CenterService(models.TextChoices):
    """Service windows of a center."""

    PARTY = "party", "党员服务 party-member services"
    GENERAL = "general", "综合业务 general affairs"
    PROXY = "proxy", "帮办代办 errands on behalf"
    CONSULT = "consult", "咨询投诉 enquiries and complaints"


class ServiceCenter(Tracked):
    """党群服务中心/站 at a point, optionally with a footprint."""

    code = models.CharField("编号 code", max_length=40, blank=True, default="",
                            help_text="外部编号 external code; re-imports match on it")
    name = models.CharField("名称 name", max_length=150)
    level = models.CharField("层级 level", max_length=10, choices=CenterLevel.choices)
    street = models.ForeignKey(Street, models.SET_NULL, null=True, blank=True,
                               related_name="centers", verbose_name="街道 street")
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True,
                                  related_name="centers", verbose_name="社区 community")
    location = models.PointField("位置 location", srid=SRID)
    footprint = models.PolygonField("占地 footprint", srid=SRID, null=True, blank=True)
    floor_area = models.FloatField("建筑面积 floor area (m²)", default=0)
    opening_hours = models.CharField("开放时间 opening hours", max_length=200, blank=True,
                                     default="")
    services = ArrayField(models.CharField(max_length=16, choices=CenterService.choices),
                          verbose_name="服务窗口 services", default=list, blank=True)
    phone = models.CharField("电话 phone", max_length=40, blank=True, default="")
    address = models.CharField("地址 address", max_length=200, blank=True, default="")
    licensed = models.BooleanField("可挂牌 licensed", default=True)
    comprehensive = models.BooleanField("综合性中心 comprehensive", default=False)

    history = audited()

    class Meta:
        verbose_name = "党群服务中心 service center"
        verbose_name_plural = "党群服务中心 service centers"
        ordering = ["level", "name"]
        constraints = [non_negative("floor_area", "center"), unique_code("center")]
        # Name search on the resident finder: prefix, substring and fuzzy (pg_trgm).
        indexes = [GinIndex(fields=["name"], name="center_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


class UnitType(models.TextChoices):
    """Kind of a 结对共建单位."""

    ORGAN = "organ", "机关 government organ"
    INSTITUTION = "institution", "事业单位 public institution"
    SOE = "soe", "国有企业 state-owned enterprise"
    UNIVERSITY = "university", "高校 university"
    PRIVATE = "private", "非公企业 private enterprise"
    SOCIAL = "social", "社会组织 social organisation"


class CoBuildingUnit(Tracked):
    """结对共建单位: an organisation that pairs with communities."""

    code = models.CharField("编号 code", max_length=40, blank=True, default="",
                            help_text="外部编号 external code; re-imports match on it")
    name = models.CharField("名称 name", max_length=150)
    unit_type = models.CharField("类型 type", max_length=12, choices=UnitType.choices)
    location = models.PointField("位置 location", srid=SRID)
    footprint = models.PolygonField("占地 footprint", srid=SRID, null=True, blank=True)
    party_members = models.PositiveIntegerField("党员数 party members", default=0)
    capacity = models.PositiveSmallIntegerField("可结对社区数 capacity", default=1)
    address = models.CharField("地址 address", max_length=200, blank=True, default="")
    phone = models.CharField("电话 phone", max_length=40, blank=True, default="")
    candidate = models.BooleanField("候选（未确认） candidate only", default=False)
    osm_id = models.BigIntegerField("OSM id", null=True, blank=True)

    history = audited()

    class Meta:
        verbose_name = "共建单位 co-building unit"
        verbose_name_plural = "共建单位 co-building units"
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

    OPTIMAL = "optimal", "最优分配 optimal"
    GREEDY = "greedy", "就近贪心 greedy nearest"
    MANUAL = "manual", "手工 manual"


class PairingStatus(models.TextChoices):
    """Life cycle of a pairing; confirmed and signed ones are locked for the optimiser."""

    PROPOSED = "proposed", "建议 proposed"
    CONFIRMED = "confirmed", "已确认 confirmed"
    SIGNED = "signed", "已签约 signed"


class Pairing(Tracked):
    """结对共建: a unit paired with a community."""

    unit = models.ForeignKey(CoBuildingUnit, models.CASCADE, related_name="pairings",
                             verbose_name="共建单位 unit")
    community = models.ForeignKey(Community, models.CASCADE, related_name="pairings",
                                  verbose_name="社区 community")
    distance_m = models.FloatField("距离 distance (m)", null=True, blank=True)
    method = models.CharField("方法 method", max_length=10, choices=PairingMethod.choices,
                              default=PairingMethod.MANUAL)
    status = models.CharField("状态 status", max_length=10, choices=PairingStatus.choices,
                              default=PairingStatus.PROPOSED)
    agreement_date = models.DateField("签约日期 agreement date", null=True, blank=True)

    history = audited()

    class Meta:
        verbose_name = "结对共建 pairing"
        verbose_name_plural = "结对共建 pairings"
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
            raise ValidationError({"agreement_date": "已签约的结对需要签约日期 a signed "
                                   "pairing needs its agreement date"}, code="signed_no_date")


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
        verbose_name = "社区自有中心 own center"
