"""Shared fixtures: a real PostGIS (the private cluster unless DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("WANGGE_SHARED_DATA", ROOT.parent / "shared" / "data"))


# Fixtures that reach the database (or a server, or a browser, which reach it).
DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server", "demo_db",
                         "client", "admin_client", "django_user_model", "staff_client",
                         "browser"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs PostGIS ``db`` (before ``-m`` selects), browsers ``browser``."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or names & DB_FIXTURES:
            item.add_marker(pytest.mark.db)
        if "browser" in names or "live_server" in names:
            item.add_marker(pytest.mark.browser)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the private PostGIS and Redis only when a selected test needs them."""
    if any(item.get_closest_marker("db") for item in session.items):
        from config import pgcluster, redisserver

        pgcluster.ensure_running()
        redisserver.ensure_running()


@pytest.fixture(scope="session")
def demo_db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The generated demo loaded once for the session into the test database."""
    from django.core.management import call_command

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_demo", "--generated", verbosity=0)
    yield


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test on machines that lack it."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present on this machine")
    return path


@pytest.fixture(autouse=True)
def _tile_cache(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test renders into its own tile cache, never the development one under var/."""
    settings.TILE_CACHE_DIR = tmp_path_factory.mktemp("tiles")  # type: ignore[attr-defined]


@pytest.fixture
def staff_client(client: object, django_user_model: object) -> object:
    """The test client logged in as a city-wide administrator (role admin, scope city)."""
    from geo.models import Account
    from geo.roles import Role

    user = django_user_model.objects.create_user(  # type: ignore[attr-defined]
        "city-admin", password="pw-city-admin-1")
    Account.assign(user, Role.ADMIN, "")
    client.force_login(user)  # type: ignore[attr-defined]
    return client


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: object) -> None:
    """Tests make many requests from one address; test_it_security turns the limits on."""
    settings.RATE_LIMITS = {}  # type: ignore[attr-defined]
