"""Password guessing (issue 15, hole 4), replayed: each attack must fail.

HTTP Basic on the API took unlimited guesses with no CSRF; the login forms were limited per
process in a 300-key cache that requests from other addresses evicted; nothing locked an
account. Now: session logins only, every password-checking path rate-limited in Redis
(shared by every worker, never evicted), and an account locked after repeated failures.
"""

from __future__ import annotations

import base64
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from geo.models import Account, LoginLock
from geo.roles import Role
from tests.bench.loadgen import start_gunicorn
from tests.scratch_db import db_url_of, free_port

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-7"


# Limits here use hour-long windows: a fixed window that turned over mid-test (the flood
# below takes seconds) would reset the count and fail the test by chance.
@pytest.fixture
def clean_counters(settings: object) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _admin_user(name: str = "guessme") -> User:
    user = User.objects.create_user(name, password=PASSWORD)
    Account.assign(user, Role.ADMIN, "")
    return user


def _login(client: Client, name: str, password: str, **extra: str) -> int:
    resp = client.post("/accounts/login/", {"username": name, "password": password}, **extra)
    return resp.status_code


def test_it_ignores_http_basic_credentials_on_the_api(demo_db: None) -> None:
    _admin_user()
    token = base64.b64encode(f"guessme:{PASSWORD}".encode()).decode()
    client = Client()
    resp = client.get("/api/v1/coverage", HTTP_AUTHORIZATION=f"Basic {token}")
    assert resp.status_code in (401, 403)
    wrong = base64.b64encode(b"guessme:wrong").decode()
    assert client.get("/api/v1/coverage",
                      HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == resp.status_code


def test_it_rate_limits_every_password_path(settings: object, clean_counters: None) -> None:
    settings.RATE_LIMITS = {"login": (3, 3600)}  # type: ignore[attr-defined]
    _admin_user()
    client = Client()
    codes = [_login(client, "guessme", f"wrong-{i}") for i in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    admin_codes = [client.post("/admin/login/", {"username": "guessme", "password": "x"}
                               ).status_code for _ in range(1)]
    assert admin_codes == [429]  # one bucket for every form that checks a password
    changes = client.post("/accounts/password_change/", {"old_password": "x"})
    assert changes.status_code == 429
    # Another address has its own window.
    assert _login(Client(), "guessme", "wrong", REMOTE_ADDR="10.9.9.9") == 200


def test_it_keeps_counting_while_others_flood_the_store(settings: object,
                                                        clean_counters: None) -> None:
    settings.RATE_LIMITS = {"finder": (5, 3600)}  # type: ignore[attr-defined]
    attacker = Client()
    assert [attacker.get("/api/v1/search", {"q": "zz"}).status_code
            for _ in range(5)] == [200] * 5
    # 1,000 other addresses (the per-process cache held 300 keys and forgot the oldest).
    others = Client()
    for i in range(1000):
        others.get("/api/v1/search", {"q": "zz"}, REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}")
    assert attacker.get("/api/v1/search", {"q": "zz"}).status_code == 429


def test_it_counts_across_server_workers(clean_counters: None, tmp_path: Path) -> None:
    port = free_port()
    server = start_gunicorn(port, "/healthz", DATABASE_URL=db_url_of(connection.settings_dict),
                            WANGGE_RATE_LIMITS="finder=5/3600",
                            WANGGE_TILE_CACHE=str(tmp_path / "tiles"))
    try:
        codes = []
        for _ in range(12):
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/search?q=zz", timeout=20) as resp:
                    codes.append(resp.status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Two workers, one count: exactly the limit, not up to twice it.
    assert codes.count(200) == 5 and codes.count(429) == 7, codes


def test_it_locks_an_account_after_repeated_failures(settings: object) -> None:
    settings.LOGIN_MAX_FAILURES = 5  # type: ignore[attr-defined]
    _admin_user()
    client = Client()
    for i in range(5):
        _login(client, "guessme", f"wrong-{i}")
    assert LoginLock.is_locked("guessme")
    # Even the right password is refused now, on every login form, saying why.
    page = client.post("/accounts/login/", {"username": "guessme", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "此账号已暂时锁定" in page.content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies.load({"django_language": "en"})
    page = english.post("/accounts/login/", {"username": "guessme", "password": PASSWORD})
    assert "this account is locked" in page.content.decode()
    client.post("/admin/login/", {"username": "guessme", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # A name that does not exist locks the same way: guessing reveals nothing.
    for i in range(5):
        _login(client, "nobody-here", f"wrong-{i}")
    assert LoginLock.is_locked("nobody-here")
    # An administrator lifts the lock in the admin ...
    boss = User.objects.create_superuser("boss", "", "Boss-password-9")
    admin = Client()
    admin.force_login(boss)
    lock = LoginLock.objects.get(username="guessme")
    resp = admin.post("/admin/geo/loginlock/", {"action": "unlock",
                                                "_selected_action": [str(lock.pk)]})
    assert resp.status_code == 302 and not LoginLock.is_locked("guessme")
    client.post("/accounts/login/", {"username": "guessme", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(User.objects.get(username="guessme").pk)
    # ... or from the shell.
    out = io.StringIO()
    call_command("account", "nobody-here", "--unlock", stdout=out)
    assert "已解除锁定" in out.getvalue() and not LoginLock.is_locked("nobody-here")
    # Staff without superuser rights cannot see or lift locks.
    planner = User.objects.create_user("pl", password=PASSWORD)
    Account.assign(planner, Role.ADMIN, "")
    other = Client()
    other.force_login(planner)
    assert other.get("/admin/geo/loginlock/").status_code == 403
