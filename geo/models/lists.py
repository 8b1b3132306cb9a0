"""三张清单: communities' needs, co-building units' resources, and the projects joining them."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from geo.analysis.matching import LIST_KINDS

from .audit import audited
from .base import SRID, YEARS, StaleVersion, Tracked
from .facilities import CoBuildingUnit
from .hierarchy import Community


class ListKind(models.TextChoices):
    """What a need asks for and a resource gives; a need takes resources of its own kind."""

    VENUE = "venue", _("场地设施")
    EDUCATION = "education", _("教育培训")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律服务")
    CULTURE = "culture", _("文体活动")
    VOLUNTEER = "volunteer", _("志愿服务")
    JOBS = "jobs", _("就业创业")
    GOODS = "goods", _("资金物资")
    OTHER = "other", _("其他")


assert tuple(ListKind.values) == LIST_KINDS, "ListKind and matching.LIST_KINDS agree"


class NeedStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已关闭")


class Need(Tracked):
    """One item of a community's need list (需求清单) for a year."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="needs",
                                  verbose_name=_("社区"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEARS)
    kind = models.CharField(_("类别"), max_length=12, choices=ListKind.choices)
    title = models.CharField(_("需求"), max_length=100)
    detail = models.CharField(_("说明"), max_length=500, blank=True, default="")
    quantity = models.PositiveSmallIntegerField(_("数量（次/人/件）"), default=1)
    # Where the help is wanted: the community's center unless staff place it elsewhere.
    location = models.PointField(_("位置"), srid=SRID)
    status = models.CharField(_("状态"), max_length=8, choices=NeedStatus.choices,
                              default=NeedStatus.OPEN)
    posted_on = models.DateField(_("登记日期"))
    history = audited()

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = pgettext_lazy("plural", "需求清单")
        ordering = ["-year", "community__code", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1),
                                              name="need_quantity_at_least_one")]

    def __str__(self) -> str:
        return f"{self.community.name} {self.year}：{self.title}"


class Resource(Tracked):
    """One item of a co-building unit's resource list (资源清单): what, how much, when."""

    unit = models.ForeignKey(CoBuildingUnit, models.CASCADE, related_name="resources",
                             verbose_name=_("共建单位"))
    kind = models.CharField(_("类别"), max_length=12, choices=ListKind.choices)
    title = models.CharField(_("资源"), max_length=100)
    detail = models.CharField(_("说明"), max_length=500, blank=True, default="")
    capacity = models.PositiveSmallIntegerField(_("可提供数量（次/人/件）"), default=1)
    available_from = models.DateField(_("起始日期"))
    available_until = models.DateField(_("截止日期"))
    active = models.BooleanField(_("有效"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = pgettext_lazy("plural", "资源清单")
        ordering = ["unit__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1),
                                   name="resource_capacity_at_least_one"),
            models.CheckConstraint(condition=models.Q(available_until__gte=models.F(
                "available_from")), name="resource_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.title}"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    AGREED = "agreed", _("已立项")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("未采纳")


# Agreed and done projects hold the need's demand and the resource's capacity.
HOLDING = (ProjectStatus.AGREED, ProjectStatus.DONE)
MOVES = {ProjectStatus.PROPOSED: {ProjectStatus.AGREED, ProjectStatus.REJECTED},
         ProjectStatus.AGREED: {ProjectStatus.DONE, ProjectStatus.REJECTED}}


class ProjectMethod(models.TextChoices):
    OPTIMAL = "optimal", _("最优匹配")
    MANUAL = "manual", _("手工")


class Project(Tracked):
    """A resource given to a need (项目清单): proposed by the matching or by hand, then
    reviewed; agreed projects count against the resource's capacity and the need."""

    need = models.ForeignKey(Need, models.CASCADE, related_name="projects",
                             verbose_name=_("需求"))
    resource = models.ForeignKey(Resource, models.CASCADE, related_name="projects",
                                 verbose_name=_("资源"))
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    distance_m = models.FloatField(_("步行距离（米）"), null=True, blank=True)
    paired = models.BooleanField(_("结对单位"), default=False)
    method = models.CharField(_("方式"), max_length=8, choices=ProjectMethod.choices,
                              default=ProjectMethod.MANUAL)
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices,
                              default=ProjectStatus.PROPOSED)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("进展"), max_length=4000, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = pgettext_lazy("plural", "项目清单")
        ordering = ["need__community__code", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1),
                                              name="project_quantity_at_least_one")]

    def __str__(self) -> str:
        return f"{self.resource.unit.name} → {self.need}"

    def advance(self, status: str, note: str, on: dt.date, based_on: int | None) -> None:
        """Agree, reject or finish; agreeing refuses to overdraw the need or the resource."""
        with transaction.atomic():
            current = (Project.objects.select_for_update()
                       .values_list("version", "status").get(pk=self.pk))
            if based_on is None or current[0] != based_on:
                raise StaleVersion(current[0], based_on)
            if status not in MOVES.get(ProjectStatus(current[1]), set()):
                raise ValidationError(gettext("不能从“%(from)s”改为“%(to)s”") % {
                    "from": ProjectStatus(current[1]).label,
                    "to": ProjectStatus(status).label}, code="bad_move")
            if status == ProjectStatus.AGREED:
                self._check_room()
            if status == ProjectStatus.DONE and not note.strip():
                raise ValidationError(gettext("完成须写明成效"), code="note_required")
            self.status = status
            if note.strip():
                self.note = (f"{self.note}\n" if self.note else "") + \
                    f"{on.isoformat()} {note.strip()}"
            if status == ProjectStatus.DONE:
                self.done_on = on
            else:
                self.decided_on = on
            self.version = current[0] + 1
            self.save()

    def _check_room(self) -> None:
        """Refuse when agreed projects would give the need more than it asked, or take more
        from the resource than it offers (rows locked so two reviewers cannot both pass)."""
        need = Need.objects.select_for_update().get(pk=self.need_id)
        resource = Resource.objects.select_for_update().get(pk=self.resource_id)
        held = Project.objects.filter(status__in=HOLDING).exclude(pk=self.pk)
        given = held.filter(need=need).aggregate(n=Sum("quantity"))["n"] or 0
        if given + self.quantity > need.quantity:
            raise ValidationError(gettext(
                "需求“%(need)s”要 %(want)s，已立项 %(given)s，再立项 %(q)s 就超出了") % {
                "need": need.title, "want": need.quantity, "given": given, "q": self.quantity},
                code="over_need")
        taken = held.filter(resource=resource).aggregate(n=Sum("quantity"))["n"] or 0
        if taken + self.quantity > resource.capacity:
            raise ValidationError(gettext(
                "资源“%(res)s”可提供 %(cap)s，已立项 %(taken)s，再立项 %(q)s 就超出了") % {
                "res": resource.title, "cap": resource.capacity, "taken": taken,
                "q": self.quantity}, code="over_capacity")
        if need.status != NeedStatus.OPEN or not resource.active:
            raise ValidationError(gettext("需求已关闭或资源已失效，不能立项"), code="closed")
