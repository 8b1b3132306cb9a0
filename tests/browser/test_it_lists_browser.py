"""The 三张清单 page in a real browser: needs, resources and projects on the map with a
legend; a planner computes the matching, sees it beside the greedy baseline, saves it and
agrees a project; a need listed with markup stays text."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser

from geo.models import Need, Project
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_matches_saves_and_agrees_on_the_map(live_server: object,
                                                browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    year = timezone.localdate().year
    need = (Need.objects.filter(community__code__startswith="510199", year=year)
            .select_related("community").order_by("community__code").first())
    assert need is not None
    street = need.community.code[:9]
    # A need no resource can serve yet, named with markup: it must stay text.
    Need.objects.create(community=need.community, year=year, kind="jobs",
                        title="<img src=x onerror=alert(1)>招聘会", quantity=99,
                        location=need.location, posted_on=timezone.localdate())
    user_with("planner", "pw-planner-123", role="planner", scope=street)
    s = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    s.login("planner", "pw-planner-123")
    page = s.page
    page.goto(f"{live_server}/lists/")
    n_needs = Need.objects.filter(community__code__startswith=street, year=year).count()
    page.wait_for_selector(f"#map[data-needs='{n_needs}']", timeout=60_000)
    assert page.locator("path.need-marker").count() == n_needs
    legend = page.locator("#legend").inner_text()
    assert "需求尚未立项" in legend and "已立项的项目" in legend
    assert page.locator("#table-needs tbody tr").count() == n_needs
    assert page.locator("#table-needs img").count() == 0
    assert "<img src=x onerror=alert(1)>招聘会" in page.locator("#table-needs").inner_text()

    page.click(".tabs button[data-tab='match']")
    page.click("#match-run")
    page.wait_for_selector("#table-compare tbody tr", timeout=60_000)
    compare = page.locator("#table-compare tbody tr")
    assert compare.nth(0).locator("th").inner_text() == "最优匹配"
    assert compare.nth(1).locator("th").inner_text() == "就近贪心"
    best = int(compare.nth(0).locator("td").nth(1).inner_text())
    greedy = int(compare.nth(1).locator("td").nth(1).inner_text())
    assert best >= greedy  # needs fully met: never fewer than nearest-first
    assert "招聘会：" in page.locator("#match-unmet").inner_text()
    proposals = page.locator("#table-proposals tbody tr").count()
    assert proposals > 0
    assert page.locator("path.project-line").count() >= proposals
    page.click("#match-save")
    page.wait_for_selector("#match-status:has-text('已保存')")
    assert Project.objects.filter(status="proposed", method="optimal",
                                  need__community__code__startswith=street).count() == proposals

    page.click(".tabs button[data-tab='projects']")
    first = page.locator("#table-projects button.advance[data-to='agreed']").first
    pk = int(first.get_attribute("data-id") or 0)
    first.click()
    page.wait_for_selector("#project-status:has-text('已立项')")
    assert Project.objects.get(pk=pk).status == "agreed"
    assert s.errors == [] and s.blocked == []
