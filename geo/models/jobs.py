"""Background jobs: long staff work (city-wide reports) queued in PostgreSQL, run by a worker.

The queue itself is procrastinate's tables; a :class:`Job` row is what the staff see: who
asked, for which scope, how far it got, and the file when it is done. It outlives the web
server and the worker: a worker that dies mid-job leaves the row ``running`` and the job is
run again by the next worker (``attempts`` counts the tries).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "排队中")
    RUNNING = "running", pgettext_lazy("job status", "进行中")
    DONE = "done", pgettext_lazy("job status", "已完成")
    FAILED = "failed", pgettext_lazy("job status", "失败")
    CANCELLED = "cancelled", pgettext_lazy("job status", "已取消")


class JobKind(models.TextChoices):
    REPORT = "report", pgettext_lazy("job kind", "覆盖报告")


FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class JobNotRunnable(Exception):
    """The job is finished or cancelled: a stale queue entry must not run it again."""


class Job(models.Model):
    """A queued piece of staff work, its progress and its result file."""

    kind = models.CharField(_("类型"), max_length=16, choices=JobKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                              verbose_name=_("提交人"))
    scope = models.CharField(_("范围"), max_length=15, blank=True, default="")
    params = models.JSONField(_("参数"), default=dict)
    language = models.CharField(_("语言"), max_length=8)
    status = models.CharField(_("状态"), max_length=12, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    phase = models.CharField(_("当前步骤"), max_length=40, blank=True, default="")
    done = models.PositiveIntegerField(_("已完成步数"), default=0)
    total = models.PositiveIntegerField(_("总步数"), default=0)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    message = models.TextField(_("说明"), blank=True, default="")
    result = models.BinaryField(_("结果文件"), null=True, editable=False)
    filename = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    queue_id = models.BigIntegerField(_("队列任务号"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = pgettext_lazy("plural", "后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope or '-'} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def start(self, total: int) -> None:
        """Claim the job for a run (again, after a worker died); refuse a finished one."""
        with transaction.atomic():
            row = Job.objects.select_for_update().get(pk=self.pk)
            if row.status in FINISHED:
                raise JobNotRunnable(row.status)
            self.status, self.attempts = JobStatus.RUNNING, row.attempts + 1
            self.phase, self.done, self.total, self.message = "", 0, total, ""
            self.started_at = timezone.now()
            self.save(update_fields=["status", "attempts", "phase", "done", "total",
                                     "message", "started_at"])

    def advance(self, phase: str) -> None:
        """One more step done; readable by the page at once (the worker runs in autocommit)."""
        self.done = min(self.done + 1, self.total)
        self.phase = phase[:40]
        Job.objects.filter(pk=self.pk, status=JobStatus.RUNNING).update(
            done=self.done, phase=self.phase)

    def succeed(self, data: bytes, filename: str, content_type: str) -> None:
        """Keep the result file and mark the job done."""
        self._finish(JobStatus.DONE, result=data, filename=filename,
                     content_type=content_type, size=len(data), done=self.total)

    def fail(self, message: str) -> None:
        """Mark the job failed with a message the owner can act on."""
        self._finish(JobStatus.FAILED, message=message)

    def cancel(self) -> bool:
        """Cancel a job that has not finished; False when it already had."""
        with transaction.atomic():
            row = Job.objects.select_for_update().get(pk=self.pk)
            if row.status in FINISHED:
                self.status = row.status
                return False
            self._finish(JobStatus.CANCELLED)
            return True

    def _finish(self, status: str, **fields: Any) -> None:
        with transaction.atomic():
            row = Job.objects.select_for_update().get(pk=self.pk)
            # A job cancelled while it ran keeps its cancellation (its file is dropped).
            if row.status in FINISHED:
                self.status = row.status
                return
            self.status, self.finished_at = status, timezone.now()
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["status", "finished_at", *fields])
