"""A planner splits a grid, saves, sees the households, undoes; two editors conflict."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from geo.models import Community, GridChangeset, GridUnit
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
PLANNER = ("geo.change_gridunit",)


def open_community(page: Page, base: str, code: str) -> None:
    page.goto(f"{base}/plan/")
    assert page.locator("#community").count(), page.content()[:1500]
    page.select_option("#community", code)
    page.wait_for_selector("#grid-list tr")
    page.wait_for_selector("#status[data-checked]")
    page.wait_for_selector("#status[data-roads]")  # roads loaded for snapping


def split_first_grid(page: Page, index: int = 0) -> None:
    page.click(f"#grid-list tr[data-index='{index}']")
    page.click("#tool-split")
    start, end = page.evaluate(f"window.planner.lineAcross({index})")
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + start["x"], box["y"] + start["y"])
    page.mouse.dblclick(box["x"] + end["x"], box["y"] + end["y"])
    page.wait_for_selector("#status[data-dirty='1']")


def table_households(page: Page) -> dict[str, int]:
    rows = page.locator("#grid-list tr")
    return {rows.nth(i).get_attribute("data-code") or "": int(rows.nth(i).get_attribute(
        "data-households") or 0) for i in range(rows.count())}


def test_it_splits_saves_and_undoes_a_grid(live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    community = Community.objects.order_by("code").first()
    assert community is not None
    before = {g.code: g.households for g in GridUnit.objects.filter(community=community)}
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    open_community(s.page, str(live_server), community.code)
    n = len(before)
    split_first_grid(s.page)
    s.page.wait_for_selector(f"#status[data-grids='{n + 1}']")
    s.page.click("#tool-save")
    s.page.wait_for_selector("#status[data-dirty='0'][data-saved]")
    assert "户数在范围内" in s.page.locator("#grid-legend").inner_text()
    # The split grid's history: Beijing time in Chinese date format, and what the split did
    # to both grids ("001 → 001、0xx，户数 a → b + c").
    s.page.click("#grid-list tr[data-index='0']")
    # (the list still shows the grid's state before the save until the new answer arrives)
    entry = s.page.locator("#history li", has_text="年").first
    entry.wait_for()
    text = entry.inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text), text
    assert "、" in text and " + " in text, text
    s.screenshot("plan-after-split")
    grids = {g.code: g.households for g in GridUnit.objects.filter(community=community)}
    assert len(grids) == n + 1
    assert sum(grids.values()) == sum(before.values())  # households only move between grids
    s.page.wait_for_function(f"() => document.querySelectorAll('#grid-list tr').length === {n + 1}")
    s.page.wait_for_timeout(300)
    assert table_households(s.page) == grids
    changeset = GridChangeset.objects.get()
    assert changeset.operation == "split" and changeset.user is not None
    assert changeset.user.username == "planner"
    # Undo in the session, then save: the community is back as it was.
    s.page.click("#tool-undo")
    s.page.wait_for_selector(f"#status[data-grids='{n}'][data-dirty='1']")
    s.page.click("#tool-save")
    s.page.wait_for_selector("#status[data-dirty='0']")
    s.page.wait_for_function(f"() => document.querySelectorAll('#grid-list tr').length === {n}")
    after = {g.code: g.households for g in GridUnit.objects.filter(community=community)}
    assert after == before
    assert GridChangeset.objects.count() == 2
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_refuses_the_second_of_two_concurrent_saves(live_server: object,
                                                        browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("ann", "pw-ann-12345", *PLANNER)
    user_with("bob", "pw-bob-12345", *PLANNER)
    community = Community.objects.order_by("code").first()
    assert community is not None
    a = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    b = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    a.login("ann", "pw-ann-12345")
    b.login("bob", "pw-bob-12345")
    open_community(a.page, str(live_server), community.code)
    open_community(b.page, str(live_server), community.code)
    split_first_grid(a.page, 0)
    a.page.click("#tool-save")
    a.page.wait_for_selector("#status[data-dirty='0'][data-saved]")
    saved = {g.code: g.geom.wkt for g in GridUnit.objects.filter(community=community)}
    split_first_grid(b.page, 1)
    b.page.click("#tool-save")
    b.page.wait_for_selector("#conflict:not([hidden])")
    assert "ann" not in b.page.locator("#conflict").inner_text()  # names no one; shows versions
    assert b.page.locator("path.theirs-shape").count() >= len(saved)
    b.screenshot("plan-conflict")
    # Nothing of Bob's was written.
    assert {g.code: g.geom.wkt for g in GridUnit.objects.filter(community=community)} == saved
    assert GridChangeset.objects.count() == 1


def test_it_picks_a_community_on_the_map_and_keeps_labels_apart(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    first, second = Community.objects.order_by("code")[:2]
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    page = s.page
    open_community(page, str(live_server), first.code)
    page.wait_for_function("() => { const c = document.querySelector('canvas.wangge-basemap');"
                           " return c && c.parentElement.parentElement.dataset.idle; }")
    # Zoomed out, the labels that would overlap give way: the visible ones never touch.
    # (wait for the framing zoom of the community to end: Leaflet drops a zoom asked during one)
    page.wait_for_function("() => !window.wanggeMap._animatingZoom")
    target = page.evaluate("window.wanggeMap.getZoom() - 2")
    page.evaluate(f"window.wanggeMap.setZoom({target}, {{animate: false}})")
    page.wait_for_function(f"() => window.wanggeMap.getZoom() === {target}")
    page.wait_for_timeout(400)
    boxes = page.evaluate("""() => [...document.querySelectorAll('.grid-label')]
        .filter(e => getComputedStyle(e).display !== 'none')
        .map(e => { const r = e.getBoundingClientRect();
                    return [r.left, r.top, r.right, r.bottom]; })""")
    hidden = page.locator(".grid-label.crowded").count()
    assert hidden > 0
    s.screenshot("plan-zoomed-out")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # A click inside the neighbouring community opens it, as choosing it in the list does.
    p = second.geom.point_on_surface
    page.evaluate(f"window.wanggeMap.setView([{p.y}, {p.x}], 15, {{animate: false}})")
    page.wait_for_function("() => { const c = document.querySelector('canvas.wangge-basemap');"
                           " return c && Date.now() - Number(c.parentElement.parentElement"
                           ".dataset.idle) > 300; }")
    point = page.evaluate(f"window.wanggeMap.latLngToContainerPoint([{p.y}, {p.x}])")
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(f"() => document.getElementById('community').value === '{second.code}'")
    page.wait_for_function(
        f"() => document.querySelector('#grid-list tr[data-code^=\"{second.code}\"]') !== null")
    assert "其他社区" in page.locator("#grid-legend").inner_text()
    assert not s.blocked and not s.errors, (s.blocked, s.errors)
    # A planner of one street: a click on another street's community opens nothing.
    user_with("street-planner", "pw-planner-2", *PLANNER, role="planner",
              scope=first.street.code)
    other = Community.objects.exclude(street=first.street).order_by("code").first()
    assert other is not None
    t = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    t.login("street-planner", "pw-planner-2")
    open_community(t.page, str(live_server), first.code)
    q = other.geom.point_on_surface
    t.page.evaluate(f"window.wanggeMap.setView([{q.y}, {q.x}], 15, {{animate: false}})")
    t.page.wait_for_function("() => { const c = document.querySelector('canvas.wangge-basemap');"
                             " return c && Date.now() - Number(c.parentElement.parentElement"
                             ".dataset.idle) > 300; }")
    point = t.page.evaluate(f"window.wanggeMap.latLngToContainerPoint([{q.y}, {q.x}])")
    box = t.page.locator("#map").bounding_box()
    assert box is not None
    t.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    t.page.wait_for_timeout(800)
    assert t.page.evaluate("document.getElementById('community').value") == first.code
    assert not t.blocked and not t.errors, (t.blocked, t.errors)
