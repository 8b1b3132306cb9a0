"""Headless Debian chromium through Playwright, with every host but the test server blocked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return os.path.realpath(path) if name != "chromium" else "/usr/bin/chromium"
    pytest.fail("Chromium is not installed; `make setup` installs Debian's chromium package")


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True,
                               args=["--no-sandbox", "--disable-gpu"])
        yield b
        # The ORM calls made while Playwright's loop ran used their own connection
        # (asgiref locals follow the loop's context): close it here, in that context.
        connections.close_all()
        b.close()


class Session:
    """A browser context that refuses every request to another host and remembers them."""

    def __init__(self, browser: Browser, base: str, **options: object) -> None:
        self.base = base
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context(**{"locale": "zh-CN", **options})
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # A script or style the Content-Security-Policy refused is an error of the page.
        self.page.on("console", lambda msg: self.errors.append(msg.text) if
                     msg.type == "error" and "Content Security Policy" in msg.text else None)
        # Any alert()/confirm() is an injected script that ran (no page of ours opens one).
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def login(self, username: str, password: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click(".login button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


def user_with(username: str, password: str, *perms: str, role: str = "viewer",
              scope: str = "") -> User:
    """A user with a role and scope (default: a city-wide report viewer) plus ``perms``."""
    from geo.models import Account

    user = User.objects.create_user(username, password=password)
    Account.objects.create(user=user, role=role, scope=scope)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app,
                                                         codename=codename))
    return user
