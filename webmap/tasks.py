"""The job queue's tasks (procrastinate finds this module in every app by its name).

Workers run them: ``manage.py jobs work``. Each task only calls the code that does the
work, which the tests also call directly. Every Django process imports this module at
start-up, so it imports nothing heavy itself.
"""

from __future__ import annotations

import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from procrastinate.contrib.django import app

from geo.models import Job, JobStatus

REPORTS = "reports"
HOUSEKEEPING = "housekeeping"


@app.task(name="wangge.report", queue=REPORTS)
def run_report(job_id: int) -> None:
    """Make one queued coverage report."""
    # Imported here: procrastinate imports this module when any process starts Django, and
    # the report's pandas/geopandas/scipy would add seconds to every command's start-up.
    from webmap.jobs import run_report_job

    # The worker runs each job in a pool thread, whose database connection is its own.
    close_old_connections()
    try:
        run_report_job(job_id)
    finally:
        close_old_connections()


async def retry_stalled_jobs() -> int:
    """Queue again the jobs of workers that stopped sending heartbeats; how many."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.JOBS_STALLED_AFTER_S)
    count = 0
    for job in stalled:
        await app.job_manager.retry_job(job)
        count += 1
    return count


@app.periodic(cron="* * * * * */15", periodic_id="retry-stalled")
@app.task(name="wangge.retry_stalled", queue=HOUSEKEEPING, queueing_lock="retry-stalled")
async def retry_stalled(timestamp: int) -> None:
    """Every 15 s: a job whose worker died runs again on a live one."""
    await retry_stalled_jobs()


@app.periodic(cron="17 3 * * *", periodic_id="delete-old-jobs")
@app.task(name="wangge.delete_old_jobs", queue=HOUSEKEEPING, queueing_lock="delete-old-jobs")
async def delete_old_jobs(timestamp: int) -> None:
    """Nightly: finished jobs past ``JOBS_KEEP_DAYS`` and their files go."""
    await sync_to_async(delete_finished_jobs)(settings.JOBS_KEEP_DAYS)
    await app.job_manager.delete_old_jobs(nb_hours=24 * settings.JOBS_KEEP_DAYS,
                                          include_failed=True, include_cancelled=True,
                                          include_aborted=True)


def delete_finished_jobs(days: int) -> None:
    """Delete the wangge jobs that finished more than ``days`` days ago."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    Job.objects.filter(status__in=[JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED],
                       finished_at__lt=cutoff).delete()
