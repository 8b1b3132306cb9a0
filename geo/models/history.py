"""Who changed which grids, when, and what they were before: the basis of history and revert."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models

from .base import SRID
from .hierarchy import Community, GridUnit


class GridOperation(models.TextChoices):
    """What a planner did in one save."""

    DRAW = "draw", "新建 draw"
    SPLIT = "split", "分割 split"
    MERGE = "merge", "合并 merge"
    RESHAPE = "reshape", "调整边界 reshape"
    EDIT = "edit", "编辑 edit"
    REVERT = "revert", "撤销 revert"


class GridChangeset(models.Model):
    """One save of a community's grids: every grid it touched changed together."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="grid_changesets",
                                  verbose_name="社区 community")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             verbose_name="用户 user")
    created_at = models.DateTimeField("时间 time", auto_now_add=True, db_index=True)
    operation = models.CharField("操作 operation", max_length=10, choices=GridOperation.choices)
    note = models.CharField("说明 note", max_length=200, blank=True, default="")
    reverts = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                related_name="reverted_by", verbose_name="撤销了 reverts")

    class Meta:
        verbose_name = "网格变更 grid changeset"
        verbose_name_plural = "网格变更 grid changesets"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.community.code} #{self.pk}"


class GridChange(models.Model):
    """One grid's state before and after a changeset (None: it did not exist)."""

    changeset = models.ForeignKey(GridChangeset, models.CASCADE, related_name="changes")
    grid = models.ForeignKey(GridUnit, models.SET_NULL, null=True, blank=True,
                             related_name="changes")
    code = models.CharField("网格代码 code", max_length=15, db_index=True)
    name = models.CharField("名称 name", max_length=100, blank=True, default="")
    before_geom = models.MultiPolygonField("之前边界 before", srid=SRID, null=True, blank=True)
    after_geom = models.MultiPolygonField("之后边界 after", srid=SRID, null=True, blank=True)
    before_households = models.PositiveIntegerField(null=True, blank=True)
    after_households = models.PositiveIntegerField(null=True, blank=True)
    before_version = models.PositiveIntegerField(null=True, blank=True)
    after_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "网格变更明细 grid change"
        verbose_name_plural = "网格变更明细 grid changes"
        ordering = ["changeset", "code"]

    def __str__(self) -> str:
        return f"{self.code} v{self.before_version}→v{self.after_version}"
