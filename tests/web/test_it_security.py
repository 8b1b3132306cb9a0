"""Security: production settings pass ``check --deploy``, missing secrets fail loudly, public
endpoints are rate-limited, request bodies and files are bounded, and members' personal data
stays masked in the API, the pages and the exports unless a role that needs it asks (logged)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from config import pgcluster, redisserver
from geo.models import Account, Community, PersonalDataAccess, ReportingMember
from geo.roles import Role

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in {"SECRET_KEY", "DATABASE_URL", "WANGGE_ENV", "DEBUG", "REDIS_URL",
                         "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # set by the browser tests
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=300)


def test_it_passes_the_deploy_check_with_production_settings() -> None:
    url = (f"postgres://{pgcluster.DB_USER}@/{pgcluster.DB_NAME}?host={pgcluster.SOCKET_DIR}"
           f"&port={pgcluster.port_from_env()}")
    prod = {"WANGGE_ENV": "production", "ALLOWED_HOSTS": "wangge.example.gov.cn",
            "REDIS_URL": redisserver.url()}
    out = _manage("check", "--deploy", "--fail-level", "WARNING",
                  SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=url, **prod)
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no issues" in out.stdout
    no_key = _manage("check", DATABASE_URL=url, **prod)
    assert no_key.returncode != 0 and "SECRET_KEY must be set" in no_key.stderr
    no_db = _manage("check", SECRET_KEY=secrets.token_urlsafe(50), **prod)
    assert no_db.returncode != 0 and "DATABASE_URL must be set" in no_db.stderr


def test_it_rate_limits_public_endpoints_per_client(demo_db: None, settings: object) -> None:
    # Windows are fixed (aligned to the clock): a long one, so the test never straddles two.
    window = 1_000_000
    settings.RATE_LIMITS = {"finder": (5, window),  # type: ignore[attr-defined]
                            "tiles": (3, window)}
    cache.clear()
    client = Client(REMOTE_ADDR="10.0.0.7")
    url = "/api/v1/centers/nearest"
    params = {"lon": 104.16, "lat": 30.59, "by": "straight"}
    assert [client.get(url, params).status_code for _ in range(5)] == [200] * 5
    refused = client.get(url, params)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= window
    assert client.get("/api/v1/search", {"q": "社区"}).status_code == 429  # same bucket
    # Another client is not held back, and staff pages are not in a public bucket.
    assert Client(REMOTE_ADDR="10.0.0.8").get(url, params).status_code == 200
    assert client.get("/overview/").status_code == 200
    tiles = [client.get("/tiles/districts/12/3232/1683.pbf").status_code for _ in range(4)]
    assert tiles[:3] != [429] * 3 and tiles[3] == 429
    # The OGC API's tiles are the same tiles: the same bucket, already spent.
    ogc_tile = "/ogcapi/collections/districts/tiles/WebMercatorQuad/12/1683/3232"
    assert client.get(ogc_tile).status_code == 429


def test_it_rate_limits_the_ogc_api_pages(demo_db: None, settings: object) -> None:
    settings.RATE_LIMITS = {"api": (4, 1_000_000)}  # type: ignore[attr-defined]
    cache.clear()
    client = Client(REMOTE_ADDR="10.0.0.9")
    codes = [client.get("/ogcapi/collections/grids/items", {"limit": 10}).status_code
             for _ in range(5)]
    assert codes == [200] * 4 + [429]


def test_it_bounds_request_bodies_and_uploaded_files(demo_db: None, settings: object) -> None:
    user = User.objects.create_user("pat", password="pw-1")
    Account.assign(user, Role.PLANNER, "")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # type: ignore[attr-defined]
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    big = '{"grids": [' + ",".join(['{"id": 1}'] * 2000) + "]}"
    resp = client.post(f"/api/v1/plan/communities/{comm.code}/save", big,
                       content_type="application/json")
    assert resp.status_code == 400
    files = {f"f{i}": SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(6)}
    resp = client.post("/accounts/login/", {"username": "pat", "password": "pw-1", **files})
    assert resp.status_code == 400  # more than DATA_UPLOAD_MAX_NUMBER_FILES (5)


def _member_client(role: Role, scope: str) -> Client:
    user = User.objects.create_user(f"{role.value}-m", password="pw-1")
    Account.assign(user, role, scope)
    client = Client()
    client.force_login(user)
    return client


def test_it_masks_personal_data_unless_a_role_needs_it(demo_db: None) -> None:
    member = ReportingMember.objects.exclude(phone="").exclude(reported_community=None) \
        .select_related("reported_community").order_by("pk").first()
    assert member is not None and member.reported_community is not None
    code = member.reported_community.code
    viewer = _member_client(Role.VIEWER, "")
    doc = viewer.get("/api/v1/members/list", {"scope": code}).json()
    row = next(r for r in doc["members"] if r["id"] == member.pk)
    assert doc["masked"] is True
    assert row["name"] != member.name and row["name"].startswith(member.name[0])
    assert member.phone not in str(doc) and member.id_number not in str(doc)
    assert viewer.get("/api/v1/members/list", {"scope": code, "unmask": 1}).status_code == 403
    csv_text = viewer.get("/api/v1/members/list", {"scope": code, "output": "csv"}) \
        .content.decode("utf-8-sig")
    assert member.phone not in csv_text and member.name not in csv_text
    # Admin pages: the list is masked for everyone, the record for those without the right.
    listing = viewer.get("/admin/geo/reportingmember/").content.decode()
    assert member.name not in listing
    page = viewer.get(f"/admin/geo/reportingmember/{member.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert member.phone not in html and member.id_number not in html and member.name not in html
    assert not PersonalDataAccess.objects.exists()
    # Community staff see their own members unmasked, and each view is logged.
    staff = _member_client(Role.STAFF, code)
    doc = staff.get("/api/v1/members/list", {"unmask": 1}).json()
    assert doc["masked"] is False and member.phone in str(doc)
    log = PersonalDataAccess.objects.get(channel="api")
    assert log.user.username == "staff-m" and member.pk in log.member_ids
    html = staff.get(f"/admin/geo/reportingmember/{member.pk}/change/").content.decode()
    assert member.phone in html
    assert PersonalDataAccess.objects.filter(channel="admin", member_ids=[member.pk]).exists()
    # Staff of one community cannot list another's members.
    other = Community.objects.exclude(code=code).order_by("code").first()
    assert other is not None
    assert staff.get("/api/v1/members/list", {"scope": other.code}).status_code == 403
    # The coverage report carries counts, never a member's name or phone.
    report = staff.get("/reports/export", {"format": "json"}).content.decode()
    assert member.phone not in report and member.name not in report
