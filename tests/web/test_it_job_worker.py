"""The job worker as a real process (``manage.py jobs work``) on the test database: a queued
report shows its progress step by step, a failure leaves a message and the worker going,
and a job whose worker is killed mid-run is run again by the next worker."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from geo.models import Account, Job, JobStatus
from tests.job_worker import worker
from webmap.jobs import submit_report

pytestmark = pytest.mark.django_db(transaction=True)
STALLED_AFTER_S = 2


def _owner() -> User:
    call_command("load_demo", "--generated", verbosity=0)
    user = User.objects.create_user("staff", password="pw-staff-123")
    user.user_permissions.add(Permission.objects.get(codename="view_community"))
    Account.objects.create(user=user, role="viewer", scope="510199")
    return user


def _watch(job: Job, until: tuple[str, ...], timeout: float = 120) -> list[tuple[str, int]]:
    """Poll the job row every 20 ms until its status is in ``until``: what was seen."""
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, done = Job.objects.values_list("status", "done").get(pk=job.pk)
        if not seen or seen[-1] != (status, done):
            seen.append((status, done))
        if status in until:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job {job.pk} not {until} after {timeout} s; seen {seen}")


def test_it_shows_progress_and_survives_a_failure(django_db_blocker: object) -> None:
    owner = _owner()
    job = submit_report(owner, "510199", "pdf", None, [500.0], "zh-hans")
    with worker():
        seen = _watch(job, (JobStatus.DONE, JobStatus.FAILED))
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.message
        # Progress moved through the steps in order, and the page could see it between.
        steps = [done for status, done in seen if status == JobStatus.RUNNING]
        assert steps == sorted(steps) and any(0 < d < job.total for d in steps), seen
        assert job.done == job.total and job.attempts == 1
        assert bytes(job.result or b"").startswith(b"%PDF-") and job.size > 10_000
        # A job that fails (its owner moved away meanwhile) leaves a message; the same worker
        # goes on to the next one.
        Account.objects.filter(user=owner).update(scope="510198")
        refused = submit_report(owner, "510199001", "json", None, [500.0], "zh-hans")
        _watch(refused, (JobStatus.DONE, JobStatus.FAILED))
        refused.refresh_from_db()
        assert refused.status == JobStatus.FAILED and "510199001" in refused.message
        Account.objects.filter(user=owner).update(scope="510199")
        after = submit_report(owner, "510199001", "json", None, [500.0], "zh-hans")
        _watch(after, (JobStatus.DONE, JobStatus.FAILED))
        after.refresh_from_db()
        assert after.status == JobStatus.DONE and bytes(after.result or b"").startswith(b"{")


def test_it_runs_a_job_again_when_its_worker_dies(django_db_blocker: object) -> None:
    owner = _owner()
    job = submit_report(owner, "510199", "pdf", None, [500.0], "zh-hans")
    with worker(STALLED_AFTER_S) as first:
        deadline = time.monotonic() + 120
        while Job.objects.values_list("done", flat=True).get(pk=job.pk) < 1:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)  # as a power cut or the OOM killer would
        first.wait()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert 0 < job.done < job.total and job.result is None
    time.sleep(STALLED_AFTER_S + 0.5)  # the dead worker's heartbeat is now stale
    with worker(STALLED_AFTER_S):
        _watch(job, (JobStatus.DONE, JobStatus.FAILED))
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == (JobStatus.DONE, 2, job.total)
    assert bytes(job.result or b"").startswith(b"%PDF-")
