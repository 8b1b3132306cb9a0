"""A file a steward imported from the browser: who, when, which file, what it did, undo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKED = "checked", _("已试运行")
    RUNNING = "running", _("导入中")
    IMPORTED = "imported", _("已导入")
    FAILED = "failed", _("未导入")
    UNDONE = "undone", _("已撤销")


class ImportBusy(Exception):
    """The run is not in a state that allows the step (another click came first)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class ImportRun(models.Model):
    """One uploaded file and what importing it did; its undo log reverts it as a whole."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                             related_name="+", verbose_name=_("导入人"))
    scope = models.CharField(_("范围"), max_length=12, blank=True, default="")
    kind = models.CharField(_("图层"), max_length=16)
    file_name = models.CharField(_("文件"), max_length=255)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    file_size = models.BigIntegerField(_("大小"))
    stored = models.CharField(_("保存位置"), max_length=300)
    options = models.JSONField(_("选项"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    counts = models.JSONField(_("结果"), default=dict)
    problems = models.JSONField(_("问题"), default=list)
    undo_log = models.JSONField(_("撤销记录"), default=list)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("撤销人"))

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = pgettext_lazy("plural", "导入记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_name}"

    @property
    def source(self) -> str:
        """The provenance label stored on the rows and their history."""
        return f"upload #{self.pk} {self.file_name}"[:200]

    @classmethod
    def record_command(cls, user: Any, scope: str, kind: str, file_name: str, sha256: str,
                       size: int, counts: dict[str, Any], undo_log: list[dict[str, Any]]
                       ) -> ImportRun:
        """Record an ``import_layer`` run from the shell (the file stays where it was)."""
        return cls.objects.create(user=user, scope=scope, kind=kind, file_name=file_name[:255],
                                  file_sha256=sha256, file_size=size, stored="",
                                  options={"command": True}, status=ImportStatus.IMPORTED,
                                  counts=counts, undo_log=undo_log,
                                  imported_at=timezone.now())

    def _claim(self, allowed: tuple[Any, ...], new: Any) -> None:
        """Move to ``new`` if the stored status is one of ``allowed``; else ImportBusy."""
        with transaction.atomic():
            current = ImportRun.objects.select_for_update().get(pk=self.pk)
            if current.status not in allowed:
                raise ImportBusy(current.status)
            current.status = new
            current.save(update_fields=["status"])
        self.status = new

    def begin(self) -> None:
        """Mark the run as importing; a second click (or tab) gets ImportBusy."""
        self._claim((ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED),
                    ImportStatus.RUNNING)

    def finish(self, written: bool, counts: dict[str, Any], problems: list[list[Any]],
               undo_log: list[dict[str, Any]]) -> None:
        """Record what the import did (or why it wrote nothing)."""
        self.status = ImportStatus.IMPORTED if written else ImportStatus.FAILED
        self.counts, self.problems, self.undo_log = counts, problems, undo_log
        self.imported_at = timezone.now() if written else None
        self.save(update_fields=["status", "counts", "problems", "undo_log", "imported_at"])

    def record_check(self, counts: dict[str, Any], problems: list[list[Any]]) -> None:
        """Keep a dry run's counts and problems."""
        with transaction.atomic():
            current = ImportRun.objects.select_for_update().get(pk=self.pk)
            if current.status in (ImportStatus.RUNNING, ImportStatus.IMPORTED,
                                  ImportStatus.UNDONE):
                raise ImportBusy(current.status)
            self.status, self.counts, self.problems = ImportStatus.CHECKED, counts, problems
            self.save(update_fields=["status", "counts", "problems"])

    def begin_undo(self) -> None:
        self._claim((ImportStatus.IMPORTED,), ImportStatus.RUNNING)

    def finish_undo(self, user: Any, done: bool) -> None:
        """Record the undo, or return to imported when it was refused."""
        if done:
            self.status, self.undone_at, self.undone_by = \
                ImportStatus.UNDONE, timezone.now(), user
        else:
            self.status = ImportStatus.IMPORTED
        self.save(update_fields=["status", "undone_at", "undone_by"])
