"""A resident on a phone finds the nearest service center and sees the walking route."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from geo.models import Community, Compound, ServiceCenter
from tests.browser.helpers import Session, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_finds_the_nearest_center_by_search_on_a_phone(live_server: object,
                                                          browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    compound = Compound.objects.order_by("name").first()
    assert compound is not None
    s = Session(browser, str(live_server), viewport={"width": 375, "height": 740},
                is_mobile=True, has_touch=True)
    page = s.page
    page.goto(f"{live_server}/")
    page.fill("#q", compound.name[:4])
    page.wait_for_selector("#suggestions button")
    page.click(f"#suggestions button:has-text('{compound.name}')")
    page.wait_for_selector("#results[data-count='3']")
    # The route to the nearest center is drawn on the map, and the basemap tiles rendered.
    assert page.locator("path.route-best").count() == 1
    page.wait_for_function("() => document.querySelectorAll('canvas.wangge-basemap').length > 0")
    settle(page)
    cards = page.locator(".center-card")
    assert cards.count() == 3
    distances = [float(cards.nth(i).get_attribute("data-distance") or "nan") for i in range(3)]
    assert distances == sorted(distances) and distances[0] > 0
    first = ServiceCenter.objects.get(pk=int(cards.nth(0).get_attribute("data-id") or 0))
    assert first.name in cards.nth(0).inner_text()
    assert "分钟" in cards.nth(0).inner_text()
    assert "lon=" in page.url and "lat=" in page.url
    assert page.locator("#place").inner_text().strip()
    # On a 375×740 phone the header is one row, the demo notice one line (it opens on a
    # tap), and the best center is whole on the screen without scrolling.
    header = page.locator("header.top").bounding_box()
    banner = page.locator("#demo-banner").bounding_box()
    best = page.locator(".center-card.best").bounding_box()
    assert header and banner and best
    assert header["height"] <= 48, header
    assert banner["height"] <= 32, banner
    assert best["y"] >= 0 and best["y"] + best["height"] <= 740, best
    page.click("#demo-banner summary")
    assert page.locator("#demo-banner").bounding_box()["height"] > banner["height"]  # type: ignore[index]
    page.click("#demo-banner summary")
    s.screenshot("finder-phone")
    # "Share" gives this page's address (the place and its answer) ...
    page.click(".center-card.best button.share")
    page.wait_for_function("() => document.getElementById('hint').textContent.includes('lon=')")
    # ... and the center's own page opens from the card.
    page.click(".center-card.best a:has-text('查看详情')")
    page.wait_for_selector("h1")
    assert first.name in page.locator("h1").inner_text()
    assert not s.blocked, s.blocked
    assert not s.errors, s.errors


def settle(page: Page) -> None:
    """Wait until the basemap's MapLibre map has drawn everything it asked for."""
    page.wait_for_function("() => { const c = document.querySelector('canvas.wangge-basemap');"
                           " return c && c.parentElement.parentElement.dataset.idle; }")
    page.wait_for_timeout(700)  # Leaflet's zoom animation, then MapLibre's next idle
    page.wait_for_function("() => { const c = document.querySelector('canvas.wangge-basemap');"
                           " return Date.now() - Number(c.parentElement.parentElement.dataset"
                           ".idle) > 300; }")


def test_it_draws_the_first_view_with_few_requests_and_each_name_once(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 720})
    page = s.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server}/")
    page.wait_for_function("() => document.querySelector('canvas.wangge-basemap')")
    settle(page)
    # Basemap, boundaries and centers come in one composite tile per position.
    tiles = [u for u in requests if "/tiles/" in u and u.endswith("size=512")]
    assert tiles and all("/tiles/set/" in u for u in tiles), tiles
    assert len(requests) <= 40, "\n".join(requests)
    # MapLibre places each community's name once (one label point per community), never
    # a piece per tile: what it drew, as it reports it.
    names = page.evaluate("""() => {
        const gl = window.wanggeMap.wanggeBase.getMaplibreMap();
        return gl.queryRenderedFeatures({layers: ['place-names']})
                 .filter(f => f.properties.kind === 'community').map(f => f.properties.name); }""")
    assert len(names) >= 10, names
    assert len(names) == len(set(names)), sorted(names)
    assert set(names) <= set(Community.objects.values_list("name", flat=True))
    # A legend says what the symbols are; the credits are the data's, not a library's.
    legend = page.locator(".legend").inner_text()
    assert "党群服务中心" in legend and "社区边界" in legend
    credits = page.locator(".leaflet-control-attribution").inner_text()
    assert "本地底图" in credits and "Leaflet" not in credits
    s.screenshot("finder-desktop")
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_answers_a_tap_on_the_map(live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    s = Session(browser, str(live_server), viewport={"width": 1000, "height": 700})
    page = s.page
    center = ServiceCenter.objects.order_by("id").first()
    assert center is not None
    page.goto(f"{live_server}/?lon={center.location.x + 0.003:.6f}&lat={center.location.y:.6f}")
    page.wait_for_selector("#results[data-count='3']")
    page.locator("#map").click(position={"x": 400, "y": 300})
    page.wait_for_function("() => !location.search.includes('"
                           f"{center.location.x + 0.003:.6f}')")
    page.wait_for_selector("#results[data-count='3']")
    assert page.locator("path.route-best").count() == 1
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_locates_the_resident_and_shifts_for_amap(live_server: object,
                                                     browser: Browser) -> None:  # noqa: F811
    from geo.analysis.chinacoords import wgs84_to_gcj02

    call_command("load_demo", "--generated", verbosity=0)
    center = ServiceCenter.objects.order_by("id").first()
    assert center is not None
    lon, lat = center.location.x + 0.002, center.location.y + 0.001
    s = Session(browser, str(live_server), viewport={"width": 375, "height": 740},
                geolocation={"longitude": lon, "latitude": lat}, permissions=["geolocation"])
    page = s.page
    page.goto(f"{live_server}/")
    page.click("#locate")
    page.wait_for_selector("#results[data-count='3']")
    assert f"lon={lon:.6f}" in page.url and f"lat={lat:.6f}" in page.url
    # The browser's GCJ-02 shift (for an Amap basemap) agrees with the server's to 1e-9°.
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    js = page.evaluate(f"W.wgsToGcj({lon}, {lat})")
    assert abs(js[0] - glon) < 1e-9 and abs(js[1] - glat) < 1e-9
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_keeps_the_centers_on_an_online_basemap(live_server: object, browser: Browser,  # noqa: F811
                                                   settings: Any) -> None:
    # The offline basemap drew the centers; an online one (here Amap, its tiles refused by
    # the test's network) must not take them away.
    settings.ONLINE_BASEMAPS = ["amap"]
    call_command("load_demo", "--generated", verbosity=0)
    s = Session(browser, str(live_server), viewport={"width": 1024, "height": 768})
    page = s.page
    page.goto(f"{live_server}/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".online-centers").count() == 0
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-base label", has_text="高德地图").locator("input").check()
    page.wait_for_selector(".online-centers canvas[data-features]")
    page.wait_for_load_state("networkidle")
    drawn = page.eval_on_selector_all(".online-centers canvas[data-features]",
                                      "els => els.map(e => +e.dataset.features)")
    assert sum(drawn) > 0
    assert page.evaluate("W.shiftActive") is True
    page.locator(".leaflet-control-layers-base label", has_text="本地底图").locator("input").check()
    assert page.locator(".online-centers").count() == 0
    assert page.evaluate("W.shiftActive") is False
    assert all("autonavi.com" in url for url in s.blocked)
    assert [e for e in s.errors if "autonavi.com" not in e] == []
