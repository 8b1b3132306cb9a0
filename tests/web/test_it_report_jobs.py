"""Report jobs (/reports/jobs, /jobs/): queued with the export's checks, run, followed,
downloaded by their owner only, cancelled, refused when the owner lost the right.

The job runs here in-process (``run_report_job``, what the worker calls); a real worker
process, its progress and its restart are in ``test_it_job_worker.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from procrastinate.contrib.django.models import ProcrastinateJob

from geo.models import Account, Job, JobStatus
from webmap.jobs import run_report_job
from webmap.tasks import delete_finished_jobs

pytestmark = pytest.mark.django_db


def _user(name: str, scope: str = "", perms: bool = True) -> User:
    user = User.objects.create_user(name, password=f"pw-{name}-123")
    if perms:
        user.user_permissions.add(Permission.objects.get(codename="view_community"))
        Account.objects.create(user=user, role="viewer", scope=scope)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submit(client: Client, **fields: str) -> Any:
    return client.post("/reports/jobs", fields, HTTP_ACCEPT="application/json")


def test_it_needs_a_login_and_the_view_permission(demo_db: None) -> None:
    assert Client().post("/reports/jobs", {"scope": "510199"}).status_code == 302
    assert _submit(_client(_user("nobody", perms=False)), scope="510199").status_code == 403
    assert _client(_user("nobody2", perms=False)).get("/jobs/").status_code == 403
    assert Job.objects.count() == 0


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"scope": "510199", "format": "docx"}, 400, "format"),
    ({"scope": "510199999", "format": "json"}, 400, "510199999"),
    ({"scope": "510199", "format": "json", "reach": "-3"}, 400, "reach"),
    ({"scope": "510199", "format": "json", "profile": "/etc/passwd.json"}, 400, "profile"),
    ({"scope": "510198", "format": "json"}, 403, "510198"),
])
def test_it_refuses_what_the_export_refuses(demo_db: None, params: dict[str, str], status: int,
                                            field: str) -> None:
    res = _submit(_client(_user("staff", scope="510199")), **params)
    assert res.status_code == status
    assert field in res.json()["error"]["message"]
    assert Job.objects.count() == 0 and not ProcrastinateJob.objects.exists()


def test_it_queues_runs_and_hands_the_file_to_its_owner_only(demo_db: None) -> None:
    owner = _user("staff", scope="510199")
    client = _client(owner)
    res = _submit(client, scope="510199001", format="xlsx")
    assert res.status_code == 202
    body = res.json()["job"]
    job = Job.objects.get(pk=body["id"])
    assert (job.status, job.owner, job.scope, job.language) == ("queued", owner, "510199001",
                                                                "zh-hans")
    assert body["download"] is None and body["total"] == job.total > 0
    # The queue entry was written in the same transaction, for this job.
    assert job.queue_id is not None
    queued = ProcrastinateJob.objects.get(pk=job.queue_id)
    assert (queued.task_name, queued.args, queued.status) == ("wangge.report",
                                                              {"job_id": job.pk}, "todo")
    assert client.get(f"/jobs/{job.pk}/file").status_code == 409  # not made yet

    run_report_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == (JobStatus.DONE, job.total, 1)
    state = client.get(f"/jobs/{job.pk}").json()["job"]
    assert state["status"] == "done" and state["download"] == f"/jobs/{job.pk}/file"
    assert state["created_at"].endswith("+08:00")  # Beijing time
    res = client.get(state["download"])
    assert res.status_code == 200
    assert res["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert job.filename.startswith("coverage-510199001-") and job.filename.endswith(".xlsx")
    wb: Any = load_workbook(io.BytesIO(res.content))
    codes = [r[0] for r in wb["社区"].iter_rows(min_row=2, values_only=True)]
    assert len(codes) == 9 and all(c.startswith("510199001") for c in codes)
    # The same report as the direct export's.
    direct = client.get("/reports/export", {"scope": "510199001", "format": "xlsx"})
    wb2: Any = load_workbook(io.BytesIO(direct.content))
    assert [list(r) for r in wb["社区"].iter_rows(values_only=True)] == \
        [list(r) for r in wb2["社区"].iter_rows(values_only=True)]
    # A second run of the same queue entry (a stale retry) does not make it again.
    run_report_job(job.pk)
    job.refresh_from_db()
    assert job.attempts == 1

    # Another user: as if the job did not exist.
    other = _client(_user("other", scope="510199"))
    assert other.get(f"/jobs/{job.pk}").status_code == 404
    assert other.get(f"/jobs/{job.pk}/file").status_code == 404
    assert other.post(f"/jobs/{job.pk}/cancel").status_code == 404
    assert other.get("/jobs/", {"format": "json"}).json()["jobs"] == []
    assert [j["id"] for j in client.get("/jobs/", {"format": "json"}).json()["jobs"]] == [job.pk]
    # The owner moved to another district: the file is no longer theirs to read.
    Account.objects.filter(user=owner).update(scope="510198")
    res = client.get(f"/jobs/{job.pk}/file")
    assert res.status_code == 403 and "510199001" in res.json()["error"]["message"]


def test_it_makes_the_report_in_the_language_it_was_asked_in(demo_db: None) -> None:
    client = _client(_user("staff", scope="510199"))
    res = client.post("/reports/jobs", {"scope": "510199001", "format": "json"},
                      HTTP_ACCEPT_LANGUAGE="en")
    job = Job.objects.get(pk=res.json()["job"]["id"])
    assert job.language == "en"
    run_report_job(job.pk)
    job.refresh_from_db()
    doc = json.loads(bytes(job.result or b""))
    assert doc["meta"]["scope"]["code"] == "510199001"
    # The English catalogue's title, around the street's (Chinese) name.
    assert doc["meta"]["title"].startswith("Service center coverage report: ")


def test_it_fails_a_job_whose_owner_lost_the_right_before_it_ran(demo_db: None) -> None:
    owner = _user("staff", scope="510199")
    client = _client(owner)
    moved = Job.objects.get(pk=_submit(client, scope="510199", format="json").json()["job"]["id"])
    Account.objects.filter(user=owner).update(scope="510198")
    run_report_job(moved.pk)
    moved.refresh_from_db()
    assert moved.status == JobStatus.FAILED and moved.result is None
    assert "510199" in moved.message and "510198" in moved.message
    owner.is_active = False
    owner.save()
    Account.objects.filter(user=owner).update(scope="510199")
    gone = Job.objects.create(kind="report", owner=owner, scope="510199", language="zh-hans",
                              params={"format": "json", "profile": None, "reaches": [500.0]})
    run_report_job(gone.pk)
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and "停用" in gone.message


def test_it_cancels_a_queued_job_and_refuses_a_second_cancel(demo_db: None) -> None:
    client = _client(_user("staff", scope="510199"))
    job_id = _submit(client, scope="510199001", format="pdf").json()["job"]["id"]
    res = client.post(f"/jobs/{job_id}/cancel")
    assert res.status_code == 200 and res.json()["job"]["status"] == "cancelled"
    job = Job.objects.get(pk=job_id)
    assert job.queue_id is not None
    assert ProcrastinateJob.objects.get(pk=job.queue_id).status == "cancelled"
    run_report_job(job_id)  # a worker that got it anyway does nothing
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.CANCELLED, 0, None)
    res = client.post(f"/jobs/{job_id}/cancel")
    assert res.status_code == 409 and res.json()["error"]["code"] == "conflict"


def test_it_limits_the_jobs_one_user_keeps_waiting(demo_db: None) -> None:
    client = _client(_user("staff", scope="510199"))
    for _ in range(3):
        assert _submit(client, scope="510199001", format="json").status_code == 202
    res = _submit(client, scope="510199001", format="json")
    assert res.status_code == 429 and res.json()["error"]["code"] == "too_many_jobs"
    assert Job.objects.count() == 3
    # Someone else is not held up by this user's queue.
    assert _submit(_client(_user("other", scope="510199")), scope="510199001",
                   format="json").status_code == 202


def test_it_deletes_finished_jobs_past_the_keeping_time(demo_db: None) -> None:
    owner = _user("staff", scope="510199")
    old, recent, waiting = (Job.objects.create(kind="report", owner=owner, scope="510199",
                                               language="zh-hans", params={"format": "json"})
                            for _ in range(3))
    Job.objects.filter(pk=old.pk).update(status=JobStatus.DONE,
                                         finished_at=timezone.now() - dt.timedelta(days=20))
    Job.objects.filter(pk=recent.pk).update(status=JobStatus.FAILED,
                                            finished_at=timezone.now() - dt.timedelta(days=2))
    delete_finished_jobs(14)
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_it_lists_jobs_on_a_page(demo_db: None) -> None:
    client = _client(_user("staff", scope="510199"))
    _submit(client, scope="510199001", format="json")
    page = client.get("/jobs/")
    assert page.status_code == 200
    assert b'id="jobs-data"' in page.content and b"510199001" in page.content


@pytest.mark.parametrize("fmt", ["pdf", "json"])
def test_it_counts_the_steps_the_report_takes(demo_db: None, fmt: str) -> None:
    from geo.analysis.rules import load_profile
    from webmap.job_views import STEP_LABELS
    from webmap.jobs import report_steps
    from webmap.reports.gather import gather
    from webmap.reports.render import render

    labels: list[str] = []
    render(gather("510199001", load_profile(None), [500.0], labels.append), fmt, labels.append)
    # The progress bar's total is the steps the report reports, one by one, each named.
    assert labels == report_steps(fmt)
    assert all(label in STEP_LABELS for label in labels)
