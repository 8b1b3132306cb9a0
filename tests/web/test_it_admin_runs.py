"""The admin's read-only records of background jobs and region runs: superusers only, no
edits, and a job's file is never shown there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geo.models import Account, Job, RegionResult, RegionRun
from geo.roles import Role

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_jobs_and_runs_to_superusers_only(demo_db: None) -> None:
    root = User.objects.create_superuser("root", password="pw-root-123")
    admin_role = User.objects.create_user("district-admin", password="pw-admin-123",
                                          is_staff=True)
    Account.assign(admin_role, Role.ADMIN, "510199")
    job = Job.objects.create(kind="report", owner=admin_role, scope="510199",
                             language="zh-hans", params={"format": "pdf"}, status="done",
                             result=b"%PDF-secret-bytes", filename="coverage-510199.pdf")
    run = RegionRun.objects.create(task="coverage", scope="51", level="city")
    RegionResult.objects.create(run=run, code="5150", payload={"buildings": 3}, seconds=1.5,
                                worker="host:1")
    su = _client(root)
    page = su.get("/admin/geo/job/")
    assert page.status_code == 200 and b"510199" in page.content
    detail = su.get(f"/admin/geo/job/{job.pk}/change/")
    assert detail.status_code == 200 and b"secret-bytes" not in detail.content
    runs = su.get(f"/admin/geo/regionrun/{run.pk}/change/")
    assert runs.status_code == 200 and b"5150" in runs.content and b"host:1" in runs.content
    # Read-only: no add, no edit.
    assert su.get("/admin/geo/job/add/").status_code == 403
    assert su.post(f"/admin/geo/job/{job.pk}/change/", {"status": "failed"}).status_code == 403
    job.refresh_from_db()
    assert job.status == "done"
    other = _client(admin_role)
    for url in ("/admin/geo/job/", f"/admin/geo/job/{job.pk}/change/", "/admin/geo/regionrun/"):
        assert other.get(url).status_code == 403, url
