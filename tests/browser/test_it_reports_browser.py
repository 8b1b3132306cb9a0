"""Staff see the facility-ratio choropleth with its legend, tables, and review a pairing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import Browser

from geo.models import Community, Pairing
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)
from tests.job_worker import worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_draws_the_ratio_choropleth_and_saves_a_reviewed_pairing(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("staff", "pw-staff-123", "geo.view_community", "geo.view_pairing",
              "geo.add_pairing")
    s = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    s.login("staff", "pw-staff-123")
    page = s.page
    page.goto(f"{live_server}/reports/")
    n = Community.objects.count()
    page.wait_for_selector(f"#map[data-choropleth='{n}']", timeout=60_000)
    assert page.locator("path.ratio-shape").count() == n
    assert page.locator("#legend").is_visible()
    legend = page.locator("#legend").inner_text()
    assert "0–10" in legend and "≥ 45" in legend and "≥ 0" not in legend
    # Uncovered compounds are on the map, one marker per row of their table.
    page.click(".tabs button[data-tab='uncovered']")
    rows = page.locator("#table-uncovered tbody tr").count()
    assert rows > 0 and page.locator("path.uncovered-compound").count() == rows
    # The reach bands get their own legend when their layer is switched on, and lose it off.
    reach = page.locator(".leaflet-control-layers label", has_text="步行可达范围")
    reach.locator("input").check()
    page.wait_for_selector(".legend:has-text('步行 500 m')")
    reach.locator("input").uncheck()
    assert page.locator(".legend:has-text('步行 500 m')").count() == 0
    page.click(".tabs button[data-tab='communities']")
    fills = set(page.eval_on_selector_all(
        "path.ratio-shape", "els => els.map(e => e.getAttribute('fill'))"))
    assert len(fills) >= 2  # the demo has communities above and below the ratio
    assert page.locator("#table-communities tbody tr").count() == n
    # Sorting by shortfall puts the largest first after two clicks.
    page.click("#table-communities th[data-key='shortfall_m2']")
    page.click("#table-communities th[data-key='shortfall_m2']")
    first = page.locator("#table-communities tbody tr").first.get_attribute("data-code")
    page.fill("#filter", first or "")
    assert page.locator("#table-communities tbody tr").count() == 1
    # A row opens its community on the map: framed, its popup naming it, the row marked.
    name = Community.objects.get(code=first).name
    page.click("#table-communities tbody tr")
    page.wait_for_selector(f".leaflet-popup-content:has-text('{name}')")
    assert page.locator("#table-communities tbody tr.selected").count() == 1
    # The table can take the width: every column is then in view without scrolling.
    page.fill("#filter", "")
    page.click("#widen")
    assert page.locator("#widen").get_attribute("aria-pressed") == "true"
    assert page.locator("#table-communities tbody tr").count() == n
    overflow = page.evaluate("() => { const t = document.getElementById('tab-communities');"
                             " return t.scrollWidth - t.clientWidth; }")
    assert overflow <= 1, overflow
    s.screenshot("reports-wide-table")
    page.click("#widen")
    page.fill("#filter", first or "")
    s.screenshot("reports-choropleth")
    page.click(".tabs button[data-tab='pairing']")
    page.click("#run-pairing")
    page.wait_for_selector("path.proposal-line", timeout=60_000)
    lines = page.locator("path.proposal-line").count()
    # The greedy plan is shown beside the optimum with the rules it breaks, in numbers.
    summary = page.locator("#pairing-summary").inner_text()
    assert "最优方案" in summary and "对照：就近贪心" in summary
    assert "不违反规则" in summary.split("对照")[0]
    before = Pairing.objects.count()
    page.click("#save-pairing")
    page.wait_for_selector("#save-pairing[disabled]")
    page.wait_for_function(
        "() => document.getElementById('pairing-summary').textContent.includes('已保存')")
    confirmed = Pairing.objects.exclude(status="proposed").count()
    assert Pairing.objects.count() == lines and Pairing.objects.count() >= before
    assert confirmed == 10
    # The district report downloads from the same page, as Excel, made by a worker process
    # as a job; the page follows its progress.
    with worker(), page.expect_download(timeout=120_000) as download:
        page.click("#export button[data-format='xlsx']")
    assert download.value.suggested_filename.startswith("coverage-510199-")
    wb = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert wb["社区"].max_row == n + 1
    assert "已生成" in page.locator("#export-status").inner_text()
    assert not s.blocked and not s.errors, (s.blocked, s.errors)
