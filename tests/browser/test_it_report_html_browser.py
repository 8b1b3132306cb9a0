"""The HTML report opens from a file in headless chromium with every network request refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Route

from geo.models import Community
from tests.browser.helpers import SCREENSHOTS, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_it_draws_the_map_offline_and_sorts_its_tables(demo_db: None, tmp_path: Path,
                                                       browser: Browser) -> None:  # noqa: F811
    out = tmp_path / "report.html"
    call_command("coverage_report", "--scope", "510199", "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    requested: list[str] = []

    def refuse_network(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            requested.append(url)
            route.abort()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.route("**/*", refuse_network)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container .leaflet-map-pane", state="attached",
                           timeout=30_000)
    n = Community.objects.filter(code__startswith="510199").count()
    # prefer_canvas draws the polygons on a canvas: the map is drawn when it has pixels.
    page.wait_for_function("""() => {
        const c = document.querySelector('#report-map canvas');
        if (!c || !c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) ink++;
        return ink > 500;
    }""", timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#report-map").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "report-html-map.png"))
    # The data's credits only: no "Leaflet" advert and no flag in the attribution.
    credits = page.locator("#report-map .leaflet-control-attribution").inner_text()
    assert "Leaflet" not in credits
    layers = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("每百户面积" in t for t in layers) and any("结对" in t for t in layers)
    assert page.locator(".wg-legend").is_visible()
    assert page.locator("#community-table tbody tr").count() == n
    # A header click sorts by that column's value.
    page.click("#community-table th:has-text('面积缺口')")
    page.click("#community-table th:has-text('面积缺口')")
    values = page.eval_on_selector_all(
        "#community-table td[data-key='shortfall_m2']",
        "tds => tds.map(td => parseFloat(td.dataset.value))")
    assert values == sorted(values, reverse=True) and values[0] > 0
    page.fill("#filter", "建设社区")
    visible = page.eval_on_selector_all("#community-table tbody tr",
                                        "trs => trs.filter(t => t.style.display !== 'none')"
                                        ".length")
    assert visible == 1
    assert page.locator("#charts img").count() == 3
    assert page.eval_on_selector_all("#charts img", "imgs => imgs.every(i => i.naturalWidth > 0)")
    page.screenshot(path=str(SCREENSHOTS / "report-html-tables.png"))
    context.close()
    assert not requested, requested
    assert not errors, errors
