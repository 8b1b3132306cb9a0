"""The 指引牌 page in a real browser: signs on the map as arrows turned the way to walk,
with a legend; a planner saves the new proposals and approves one; names stay text."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from geo.models import DirectionSign, ServiceCenter
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_maps_saves_and_approves_signs(live_server: object,
                                          browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    street = "510199001"
    DirectionSign.objects.exclude(status="installed").delete()  # the plan proposes anew
    center = ServiceCenter.objects.filter(signs__isnull=False,
                                          community__code__startswith=street).first()
    assert center is not None
    center.name = "<b>锦华</b>中心"
    center.save()
    user_with("planner", "pw-planner-123", role="planner", scope=street)
    s = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    s.login("planner", "pw-planner-123")
    page = s.page
    page.goto(f"{live_server}/signs/")
    page.wait_for_selector("#map[data-signs]", timeout=60_000)
    shown = int(page.locator("#map").get_attribute("data-signs") or 0)
    assert shown == page.locator(".sign-marker").count() > 0
    turns = page.locator(".sign-marker i").evaluate_all(
        "els => els.map(e => e.style.transform)")
    assert all(t.startswith("rotate(") for t in turns)
    legend = page.locator("#legend").inner_text()
    assert "已安装的指引牌" in legend and "新建议的指引牌（未保存）" in legend
    assert page.locator("#table-signs b").count() == 0
    assert "<b>锦华</b>中心" in page.locator("#table-signs").inner_text()
    assert "output=xlsx" in (page.locator("#export-xlsx").get_attribute("href") or "")

    new = page.locator("#table-signs tbody tr:has-text('新建议（未保存）')").count()
    assert new > 0
    page.click("#save-plan")
    page.wait_for_selector("#sign-status:has-text('已保存')")
    assert DirectionSign.objects.filter(status="proposed").count() == new
    button = page.locator("#table-signs button.advance[data-to='approved']").first
    pk = int(button.get_attribute("data-id") or 0)
    button.click()
    page.wait_for_selector("#sign-status:has-text('已批准')")
    assert DirectionSign.objects.get(pk=pk).status == "approved"
    assert s.errors == [] and s.blocked == []
