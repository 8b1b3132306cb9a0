"""Who changed which grids, when, and what they were before: the basis of history and revert."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import SRID
from .hierarchy import Community, GridUnit


class GridOperation(models.TextChoices):
    """What a planner did in one save."""

    DRAW = "draw", _("新建")
    SPLIT = "split", _("分割")
    MERGE = "merge", _("合并")
    RESHAPE = "reshape", _("调整边界")
    EDIT = "edit", _("编辑")
    REVERT = "revert", _("撤销")
    PROPOSE = "propose", _("建议划分")
    RENUMBER = "renumber", _("重新编号")


class GridChangeset(models.Model):
    """One save of a community's grids: every grid it touched changed together."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="grid_changesets",
                                  verbose_name=_("社区"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             verbose_name=_("用户"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    operation = models.CharField(_("操作"), max_length=10, choices=GridOperation.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    reverts = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                related_name="reverted_by", verbose_name=_("撤销了"))

    class Meta:
        verbose_name = _("网格变更")
        verbose_name_plural = pgettext_lazy("plural", "网格变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.community.code} #{self.pk}"


class GridChange(models.Model):
    """One grid's state before and after a changeset (None: it did not exist)."""

    changeset = models.ForeignKey(GridChangeset, models.CASCADE, related_name="changes")
    grid = models.ForeignKey(GridUnit, models.SET_NULL, null=True, blank=True,
                             related_name="changes")
    code = models.CharField(_("网格代码"), max_length=15, db_index=True)
    before_code = models.CharField(_("原网格代码"), max_length=15, blank=True, default="",
                                   help_text=_("重新编号前的代码（未改代码时为空）"))
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    before_geom = models.MultiPolygonField(_("之前边界"), srid=SRID, null=True, blank=True)
    after_geom = models.MultiPolygonField(_("之后边界"), srid=SRID, null=True, blank=True)
    before_households = models.PositiveIntegerField(null=True, blank=True)
    after_households = models.PositiveIntegerField(null=True, blank=True)
    before_version = models.PositiveIntegerField(null=True, blank=True)
    after_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("网格变更明细")
        verbose_name_plural = pgettext_lazy("plural", "网格变更明细")
        ordering = ["changeset", "code"]

    def __str__(self) -> str:
        return f"{self.code} v{self.before_version}→v{self.after_version}"
