"""Configuration helpers read the environment and fail loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_int, env_str


def test_it_parses_database_url() -> None:
    db = database_from_url("postgres://u%40x:p%2Fw@db.example:6543/city?sslmode=require")
    assert db["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u@x", "p/w", "db.example", "6543", "city")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_it_parses_a_socket_url() -> None:
    db = database_from_url("postgres://wangge@/wangge?host=/srv/run&port=5433")
    assert db["HOST"] == "/srv/run"
    assert db["NAME"] == "wangge"


@pytest.mark.parametrize("url", ["mysql://x@h/db", "postgres://x@h/"])
def test_it_rejects_bad_database_urls(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_it_fails_loudly_on_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGGE_T_BOOL", "maybe")
    monkeypatch.setenv("WANGGE_T_INT", "12x")
    monkeypatch.delenv("WANGGE_T_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("WANGGE_T_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("WANGGE_T_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="WANGGE_T_MISSING is required"):
        env_str("WANGGE_T_MISSING")
