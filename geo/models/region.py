"""Region runs: one task fanned out over the cities or districts of a province."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionRun(models.Model):
    """A ``run_region`` invocation; its results are the checkpoint a resumed run skips."""

    task = models.CharField(_("任务"), max_length=32)
    scope = models.CharField(_("范围"), max_length=15)
    level = models.CharField(_("拆分层级"), max_length=16)
    profile = models.CharField(_("规则配置"), max_length=100, blank=True, default="")
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("区域批量运行")
        verbose_name_plural = pgettext_lazy("plural", "区域批量运行")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.scope} #{self.pk}"


class RegionResult(models.Model):
    """What one task found for one city or district, written by the worker that ran it."""

    run = models.ForeignKey(RegionRun, models.CASCADE, related_name="results",
                            verbose_name=_("运行"))
    code = models.CharField(_("代码"), max_length=15)
    payload = models.JSONField(_("结果"))
    seconds = models.FloatField(_("用时（秒）"))
    peak_rss_mb = models.FloatField(_("进程内存峰值（MB）"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=200, blank=True, default="")
    finished_at = models.DateTimeField(_("完成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区域运行结果")
        verbose_name_plural = pgettext_lazy("plural", "区域运行结果")
        ordering = ["run", "code"]
        constraints = [models.UniqueConstraint(fields=["run", "code"],
                                               name="region_result_once_per_code")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.code}"
