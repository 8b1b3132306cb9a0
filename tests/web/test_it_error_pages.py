"""Our own 404, 500 and 429 pages, each in the request's one language (issue 18).

A browser refused by the login rate limit used to get the API's raw JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def _client(lang: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.cookies.load({"django_language": lang})
    return c


@pytest.fixture
def clean_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_it_answers_a_missing_page_with_its_own_page(settings: Any) -> None:
    settings.DEBUG = False
    zh = _client("zh-hans").get("/no-such-page/")
    assert zh.status_code == 404 and "找不到页面" in zh.content.decode()
    en = _client("en").get("/no-such-page/").content.decode()
    assert "Page not found" in en and "找不到页面" not in en and "回到首页" not in en


def test_it_answers_a_crash_with_its_own_page() -> None:
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        zh = server_error(request).content.decode()
    with translation.override("en"):
        en = server_error(request).content.decode()
    assert "出错了" in zh and "数据没有改动" in zh
    assert "Something went wrong" in en and "出错了" not in en


def test_it_refuses_a_browser_with_a_page_and_a_client_with_json(
        settings: Any, clean_counters: None) -> None:
    settings.RATE_LIMITS = {"login": (1, 3600), "finder": (1, 3600)}
    browser = _client("en")
    form = {"username": "someone", "password": "wrong"}
    assert browser.post("/accounts/login/", form, HTTP_ACCEPT="text/html").status_code == 200
    refused = browser.post("/accounts/login/", form, HTTP_ACCEPT="text/html")
    page = refused.content.decode()
    assert refused.status_code == 429 and refused["Content-Type"].startswith("text/html")
    assert "Too many requests; try again in" in page and "请求" not in page
    assert int(refused["Retry-After"]) > 0
    zh = _client("zh-hans").post("/accounts/login/", form, HTTP_ACCEPT="text/html",
                                 REMOTE_ADDR="10.2.3.4")
    zh = _client("zh-hans").post("/accounts/login/", form, HTTP_ACCEPT="text/html",
                                 REMOTE_ADDR="10.2.3.4")
    assert zh.status_code == 429 and "请求过于频繁" in zh.content.decode()
    api = Client()
    api.get("/api/v1/search", {"q": "zz"})
    limited = api.get("/api/v1/search", {"q": "zz"}, HTTP_ACCEPT="text/html")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
