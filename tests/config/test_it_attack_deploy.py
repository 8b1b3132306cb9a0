"""Deployment holes (issue 15, hole 12), replayed against a production-configured server.

Production gunicorn served no /static/ (every page broken), /healthz told anyone the
database's socket path, the API schema, Swagger UI and the browsable API were public,
``account --create`` with a bad scope left a user behind, ``make setup`` printed a demo
superuser's password in production, and weak settings only warned.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from config import pgcluster, redisserver
from tests.bench.loadgen import start_gunicorn
from tests.scratch_db import db_url_of, free_port

ROOT = Path(__file__).resolve().parents[2]
PROD = {"WANGGE_ENV": "production", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "REDIS_URL": redisserver.url()}


def _get(address: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(address, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in {"SECRET_KEY", "DATABASE_URL", "WANGGE_ENV", "DEBUG", "ALLOWED_HOSTS",
                         "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.django_db
def test_it_serves_a_working_production_site_and_hides_internals(tmp_path: Path) -> None:
    port = free_port()
    database = db_url_of(connection.settings_dict)
    server = start_gunicorn(port, "/healthz", DATABASE_URL=database,
                            SECRET_KEY=secrets.token_urlsafe(50),
                            WANGGE_TILE_CACHE=str(tmp_path / "tiles"), **PROD)
    base = f"http://127.0.0.1:{port}"
    try:
        status, headers, _ = _get(f"{base}/static/webmap/site.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        status, _, body = _get(f"{base}/static/vendor/leaflet/leaflet.js")
        assert status == 200 and len(body) > 10_000
        status, headers, body = _get(f"{base}/")
        assert status == 200 and "Content-Security-Policy" in headers
        for path in ("/api/v1/schema/", "/api/v1/docs/"):
            assert _get(base + path)[0] in (401, 403), path
        status, headers, body = _get(f"{base}/api/v1/districts/",
                                Accept="text/html,application/xhtml+xml,*/*;q=0.8")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # A database that is away: /healthz says so, and nothing about where it lives.
    port = free_port()
    dead = f"postgres://{pgcluster.APP_USER}@127.0.0.1:{free_port()}/wangge"
    server = start_gunicorn(port, "/static/webmap/site.css", DATABASE_URL=dead,
                            SECRET_KEY=secrets.token_urlsafe(50), **PROD)
    try:
        status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 503
    answer = json.loads(body)
    assert answer == {"ok": False, "error": "database_unavailable"}


def test_it_refuses_to_start_production_with_unsafe_settings() -> None:
    db = f"postgres://{pgcluster.APP_USER}@/wangge?host={pgcluster.SOCKET_DIR}"
    good = {**PROD, "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": db,
            "ALLOWED_HOSTS": "wangge.example.gov.cn"}
    assert _check(**good).returncode == 0, _check(**good).stderr
    for change, message in (({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
                            ({"SECRET_KEY": "django-insecure-" + "x" * 60},
                             "SECRET_KEY is too weak"),
                            ({"DEBUG": "1"}, "DEBUG must be off"),
                            ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name"),
                            ({"REDIS_URL": ""}, "REDIS_URL must be set")):
        env = {**good, **change}
        if change.get("REDIS_URL") == "":
            env.pop("REDIS_URL")
        out = _check(**env)
        assert out.returncode != 0 and message in out.stderr, (change, out.stderr[-500:])


@pytest.mark.django_db
def test_it_leaves_no_user_behind_when_an_account_is_refused(demo_db: None) -> None:
    os.environ["WANGGE_NEW_PASSWORD"] = "Long-enough-pass-9"
    try:
        with pytest.raises(CommandError):
            call_command("account", "x", "--role", "viewer", "--scope", "999999", "--create",
                         stdout=io.StringIO())
    finally:
        del os.environ["WANGGE_NEW_PASSWORD"]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_it_makes_no_demo_administrator_in_production(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    out = io.StringIO()
    call_command("demo_admin", stdout=out)
    assert not User.objects.filter(username="admin").exists()
    assert "createsuperuser" in out.getvalue() and "admin /" not in out.getvalue()
