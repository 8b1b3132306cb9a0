"""The events page: a grid worker handles on a phone, the office verifies; a race is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from geo.models import Account, Event, EventStep, GridUnit
from geo.roles import Role
from geo.services import events as svc
from tests.browser.helpers import Session, browser  # noqa: F401  (fixture)
from tests.web.test_it_events import _jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)


def take(page: Page, code: str, action: str, note: str = "") -> None:
    card = page.locator(f"li.event-card[data-code='{code}']")
    card.locator(f"button.act[data-action='{action}']").click()
    if note:
        card.locator(".act-form textarea").fill(note)
    card.locator(".act-form button.confirm").click()


def test_it_lets_the_worker_handle_and_the_office_close(live_server: object,
                                                        browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[15]
    p = grid.geom.point_on_surface
    office = User.objects.create_user("office", password="pw-office-1")
    Account.assign(office, Role.PLANNER, grid.community.street.code)
    worker = User.objects.create_user("worker", password="pw-worker-1")
    Account.assign(worker, Role.STAFF, grid.community.code)
    event = svc.report(category="environment", urgency="urgent", description="垃圾堆放",
                       lon=p.x, lat=p.y, by=svc.Reporter(phone="13800002222"))
    svc.add_photo(event, _jpeg_with_gps(800, 600))
    code = event.code
    v = svc.act(code, "file", office, event.version).version
    svc.act(code, "dispatch", office, v)

    w = Session(browser, str(live_server), viewport={"width": 375, "height": 740},
                is_mobile=True, has_touch=True)
    w.login("worker", "pw-worker-1")
    w.page.goto(f"{live_server}/events/")
    w.page.wait_for_selector(f"li.event-card[data-code='{code}'] button.act[data-action='accept']")
    w.page.wait_for_selector("#map[data-mode='points'] path.event-marker")
    assert w.page.locator("path.event-marker").count() == 1
    # The resident's photo is shown to the worker, loaded from the server (no error).
    photo = w.page.locator(f"li.event-card[data-code='{code}'] img.event-photo")
    photo.wait_for()
    width = 0
    for _ in range(50):  # until the image has loaded
        width = w.page.evaluate("() => document.querySelector('img.event-photo').naturalWidth")
        if width:
            break
        w.page.wait_for_timeout(100)
    assert width == 800
    # A worker is offered the worker's actions only.
    offered = w.page.eval_on_selector_all(f"li.event-card[data-code='{code}'] button.act",
                                          "els => els.map(e => e.dataset.action)")
    assert offered == ["accept"]
    take(w.page, code, "accept")
    w.page.wait_for_selector(f"li.event-card[data-code='{code}'] "
                             "button.act[data-action='report_back']")
    take(w.page, code, "report_back", "已清理")
    w.page.wait_for_selector(f"li.event-card[data-code='{code}'][data-state='handled']")
    assert w.page.locator(f"li.event-card[data-code='{code}'] button.act").count() == 0
    w.screenshot("events-worker-phone")
    assert Event.objects.get(code=code).state == "handled"
    assert EventStep.objects.filter(event__code=code, action="report_back",
                                    note="已清理").exists()

    o = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    o.login("office", "pw-office-1")
    o.page.goto(f"{live_server}/events/")
    o.page.wait_for_selector(f"li.event-card[data-code='{code}'] button.act[data-action='verify']")
    # The per-grid table: this grid's filing and dispatch are finished steps.
    row = o.page.locator(f"#grid-rates tbody tr:has(td:text-is('{grid.code}'))")
    row.wait_for(state="attached")
    assert "(1)" in (row.text_content() or "")
    assert grid.code in (o.page.get_attribute("#grid-rates-csv", "href") or "")
    # Meanwhile someone else verifies it: the page's version is stale, the server says so.
    svc.act(code, "verify", office, Event.objects.get(code=code).version)
    take(o.page, code, "verify")
    o.page.wait_for_selector(f"li.event-card[data-code='{code}'] .notice:visible")
    assert Event.objects.get(code=code).state == "closed"
    assert EventStep.objects.filter(event__code=code, action="verify").count() == 1
    o.screenshot("events-office-desktop")
    assert not (w.errors or o.errors or w.blocked or o.blocked)


def test_it_maps_many_events_as_clusters_and_heat_and_merges_duplicates(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    from tests.web.test_it_event_map import _bulk

    call_command("load_demo", "--generated", verbosity=0)
    cache.clear()
    grid = GridUnit.objects.select_related("community__street").order_by("code")[25]
    office = User.objects.create_user("office2", password="pw-office-2")
    Account.assign(office, Role.PLANNER, grid.community.street.code)
    _bulk(grid.community, grid, 480, seed=3)
    p = grid.geom.point_on_surface
    first = svc.report(category="facility", urgency="routine", description="路灯不亮",
                       lon=p.x, lat=p.y, by=svc.Reporter(phone="13800003333"))
    second = svc.report(category="facility", urgency="routine", description="路灯坏了",
                        lon=p.x + 0.0001, lat=p.y, by=svc.Reporter(phone="13800004444"))

    o = Session(browser, str(live_server), viewport={"width": 1366, "height": 850})
    o.login("office2", "pw-office-2")
    o.page.goto(f"{live_server}/events/")
    # Framed on the listed events (a 120 m grid): zoomed in, not the district's view, and
    # the clusters drawn are those of that view (a first draw at the district's view, with
    # everything in one cluster, may come before the list has framed the map).
    o.page.wait_for_function("""() => {
      const m = document.getElementById('map');
      return m.dataset.mode === 'cells' && wanggeMap.getZoom() >= 16
        && Number(m.dataset.zoom) === wanggeMap.getZoom(); }""")
    clusters = o.page.locator(".event-cluster")
    assert clusters.count() >= 2
    shown = sum(int(t) for t in clusters.all_inner_texts())
    assert shown == int(o.page.locator("#map").get_attribute("data-total") or 0) >= 480
    assert o.page.locator(".event-cluster.has-overdue").count() >= 1
    o.screenshot("events-clusters-desktop")
    # The heat map of one category: a canvas over the map, and no cluster markers.
    o.page.select_option("#event-filter select[name='category']", "safety")
    o.page.check("#event-filter input[value='heat']")
    o.page.wait_for_selector("canvas.leaflet-heatmap-layer")
    assert o.page.locator(".event-cluster").count() == 0
    o.screenshot("events-heat-desktop")
    # The likely duplicates: merged into the earlier report with one click.
    o.page.check("#event-filter input[value='clusters']")
    o.page.select_option("#event-filter select[name='category']", "facility")
    o.page.wait_for_selector("#duplicates:not([hidden])")
    o.page.click("#duplicates summary")
    o.page.click(f"#duplicates li[data-keep='{first.code}'] button.merge-group")
    # The card can leave the list early (choosing the category reloads it): wait for the
    # merge itself, then for the list drawn after it.
    for _ in range(300):
        if Event.objects.get(code=second.code).state == "merged":
            break
        o.page.wait_for_timeout(100)
    o.page.wait_for_selector(f"li.event-card[data-code='{second.code}']", state="detached")
    merged = Event.objects.get(code=second.code)
    assert merged.state == "merged" and merged.merged_into_id == first.pk
    # File the kept one and hand it to a department.
    take(o.page, first.code, "file")
    o.page.wait_for_selector(f"li.event-card[data-code='{first.code}'][data-state='filed']")
    card = o.page.locator(f"li.event-card[data-code='{first.code}']")
    card.locator("button.act[data-action='dispatch']").click()
    card.locator(".act-form select.department").select_option("utilities")
    card.locator(".act-form button.confirm").click()
    o.page.wait_for_selector(f"li.event-card[data-code='{first.code}'][data-state='dispatched']")
    assert Event.objects.get(code=first.code).department == "utilities"
    assert not (o.errors or o.blocked)
