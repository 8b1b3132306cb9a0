"""Report jobs: a coverage report queued by the staff page, made by a worker, downloaded later.

:func:`submit_report` writes the :class:`~geo.models.Job` row and its queue entry in one
transaction (both or neither); :func:`run_report_job` is what the worker runs. The page
and ``manage.py jobs`` only call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from geo.analysis.rules import load_profile
from geo.models import Job, JobKind, JobNotRunnable, JobStatus
from geo.services.access import scope_for_read
from geo.services.errors import HANDLED, describe
from webmap.reports.gather import GATHER_STEPS, gather
from webmap.reports.render import CONTENT_TYPES, render, render_steps, report_filename

REPORT_PERMISSION = "geo.view_community"


class JobCancelled(Exception):
    """The owner cancelled the job while it ran: stop at the next step."""


def submit_report(user: Any, scope: str, fmt: str, profile: str | None,
                  reaches: Sequence[float], language: str) -> Job:
    """Queue a coverage report of ``scope`` (already checked readable by ``user``)."""
    from webmap.tasks import run_report

    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.REPORT, owner=user, scope=scope, language=language,
            params={"format": fmt, "profile": profile, "reaches": [float(r) for r in reaches]},
            total=len(report_steps(fmt)))
        job.queue_id = run_report.defer(job_id=job.pk)
        job.save(update_fields=["queue_id"])
    return job


def report_steps(fmt: str) -> list[str]:
    """The steps a report job counts, for its progress bar."""
    return [*GATHER_STEPS, *render_steps(fmt)]


def run_report_job(job_id: int) -> None:
    """Make the report of a queued job and keep the file on the job (the worker's task)."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return  # deleted (cleanup, or the owner's account) before a worker got to it
    fmt = job.params["format"]
    try:
        job.start(len(report_steps(fmt)))
    except JobNotRunnable:
        return  # cancelled before it started, or a stale retry of a finished job
    with translation.override(job.language):
        _make_report(job, fmt)


def _make_report(job: Job, fmt: str) -> None:
    def step(label: str) -> None:
        job.advance(label)
        if job.status == JobStatus.RUNNING and not _still_running(job.pk):
            raise JobCancelled

    try:
        owner = job.owner
        # The owner's rights are read again when the job runs: a user disabled or moved
        # since submitting gets nothing.
        if not owner.is_active or not owner.has_perm(REPORT_PERMISSION):
            raise PermissionDenied(_("提交人已停用或不再有查看报表的权限"))
        scope = scope_for_read(owner, job.scope)
        profile = load_profile(job.params.get("profile") or None)
        doc = gather(scope, profile, job.params["reaches"], step)
        data = render(doc, fmt, step)
    except JobCancelled:
        return
    except HANDLED as exc:
        job.fail(describe(exc))
        return
    except Exception:
        job.fail(_("生成报告时程序出错（已记入服务器日志），请联系管理员"))
        raise
    job.succeed(data, report_filename(doc, fmt), CONTENT_TYPES[fmt])


def _still_running(pk: int) -> bool:
    return Job.objects.filter(pk=pk, status=JobStatus.RUNNING).exists()
