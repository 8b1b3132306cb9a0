"""A resident reports a problem from the finder on a phone and follows it to its close."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser

from geo.models import Account, Event, EventPhoto, GridUnit
from geo.roles import Role
from geo.services import events as svc
from tests.browser.helpers import Session, browser  # noqa: F401  (fixture)
from tests.web.test_it_events import _jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_takes_a_report_on_a_phone_and_shows_its_progress(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[12]
    p = grid.geom.point_on_surface
    s = Session(browser, str(live_server), viewport={"width": 375, "height": 740},
                is_mobile=True, has_touch=True)
    page = s.page
    page.goto(f"{live_server}/?lon={p.x:.6f}&lat={p.y:.6f}")
    page.wait_for_selector("#results[data-count='3']", timeout=60_000)
    page.click("#report-open")
    assert grid.community.name in page.locator("#report-where").inner_text()
    # Without a phone the form says what is missing and sends nothing.
    page.fill("#report-form textarea[name=description]", "路灯不亮")
    page.click("#report-form button[type=submit]")
    assert page.locator("#report-error").is_visible()
    assert Event.objects.count() == 0
    page.select_option("#report-form select[name=category]", "facility")
    page.fill("#report-form input[name=phone]", "13900001111")
    page.set_input_files("#report-form input[name=photo]", files=[{
        "name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_with_gps(1200, 900)}])
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-code")
    code = page.locator("#report-code").inner_text()
    assert not page.locator("#report-form").is_visible()  # the form gives way to the code
    event = Event.objects.get(code=code)
    assert event.grid == grid and event.category == "facility"
    assert event.reporter_phone == "13900001111"
    assert EventPhoto.objects.filter(event=event).count() == 1
    s.screenshot("event-reported-phone")
    # The office files and dispatches it, the grid worker handles it, the office closes it.
    office = User.objects.create_user("office", password="pw-office-1")
    Account.assign(office, Role.PLANNER, grid.community.street.code)
    worker = User.objects.create_user("worker", password="pw-worker-1")
    Account.assign(worker, Role.STAFF, grid.community.code)
    v = event.version
    for user, action, note in ((office, "file", ""), (office, "dispatch", ""),
                               (worker, "accept", ""), (worker, "report_back", "已修复"),
                               (office, "verify", "")):
        v = svc.act(code, action, user, v, note).version
    page.click("#report-done a")
    page.wait_for_selector("#event-state")
    assert page.locator("#event-state").get_attribute("data-state") == "closed"
    steps = page.locator("#event-steps li")
    assert steps.count() == 6
    text = page.locator("main").inner_text()
    assert "13900001111" not in text and "1111" not in text  # no phone on the public page
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 1
    s.screenshot("event-progress-phone")
    assert s.errors == [] and s.blocked == []
