"""The 五个一 page in a real browser: the completion map with its legend, the tables, recording
an activity, and a sheet whose bad row is listed while nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser

from geo.models import Community, MemberActivity, ReportingMember
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_maps_completion_and_records_an_activity(live_server: object, tmp_path: object,
                                                    browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    member = (ReportingMember.objects.filter(reported_community__code__startswith="510199")
              .select_related("reported_community").order_by("pk").first())
    assert member is not None and member.reported_community is not None
    street = member.reported_community.code[:9]
    user_with("clerk", "pw-clerk-123", role="admin", scope="510199")
    s = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    s.login("clerk", "pw-clerk-123")
    page = s.page
    page.goto(f"{live_server}/members/duties/")
    page.select_option("#scope", street)
    page.click("#scope-form button[type=submit]")
    n = Community.objects.filter(code__startswith=street).count()
    page.wait_for_selector(f"#map[data-choropleth='{n}']", timeout=60_000)
    assert page.locator("path.duty-shape").count() == n
    legend = page.locator("#legend").inner_text()
    assert "0–20%" in legend and "≥ 80%" in legend and "无报到党员" in legend
    rows = page.locator("#table-communities tbody tr")
    with_members = Community.objects.filter(code__startswith=street,
                                            reporting_members__isnull=False).distinct().count()
    assert rows.count() == n and with_members > 0
    summary = page.locator("#summary").inner_text()
    year = timezone.localdate().year
    assert summary.startswith(f"{year} 年：报到党员")
    page.click(".tabs button[data-tab='behind']")
    behind = page.locator("#table-behind tbody tr")
    assert behind.count() > 0
    assert all("*" in behind.nth(i).locator("td").nth(1).inner_text()
               for i in range(min(5, behind.count())))  # masked for everyone by default

    # Record one activity two years back (no demo record there) and see it listed.
    day = dt.date(year - 2, 4, 12)
    page.click(".tabs button[data-tab='record']")
    page.fill("#record-form input[name=member]", str(member.pk))
    page.select_option("#record-form select[name=kind]", "survey")
    page.fill("#record-form input[name=on]", day.isoformat())
    page.fill("#record-form input[name=note]", "<b>楼道</b>调研")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector("#record-status:has-text('已登记')")
    # The list shows the recorded day's year, not the page's (an earlier answer for the
    # page's year, asked when the member number was typed, must not win).
    page.wait_for_selector(f"#table-member td:has-text('{day.isoformat()}')")
    assert "<b>楼道</b>调研" in page.locator("#table-member").inner_text()  # shown, not run
    act = MemberActivity.objects.get(member=member, on=day)
    assert act.kind == "survey" and act.note == "<b>楼道</b>调研"
    assert MemberActivity.history.get(id=act.pk).history_user.username == "clerk"

    # A sheet with one bad row: the row is named, nothing is written.
    sheet = tmp_path / "acts.csv"  # type: ignore[operator]
    sheet.write_text(f"党员编号,活动类型,日期\n{member.pk},谈心,{day.isoformat()}\n"
                     f"{member.pk},跳舞,{day.isoformat()}\n", encoding="utf-8")
    page.click(".tabs button[data-tab='import']")
    page.set_input_files("#import-form input[type=file]", str(sheet))
    page.click("#import-form button[data-dry='0']")
    page.wait_for_selector("#table-problems tbody tr")
    assert page.locator("#table-problems tbody tr td").first.inner_text() == "3"
    assert "未导入任何数据" in page.locator("#import-status").inner_text()
    assert not MemberActivity.objects.filter(member=member, kind="talk", on=day).exists()
    s.screenshot("duties-import-problems")
    assert s.errors == [] and s.blocked == [] and s.dialogs == []
