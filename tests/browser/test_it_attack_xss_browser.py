"""Stored XSS (issue 15, hole 2), replayed in chromium: no injected name runs anywhere.

A center named ``<img src=x onerror=...>`` ran its script on the public center page on load
and on hover in /overview/ and /reports/, and ``${...}`` ran inside the exported HTML
report's tooltips. Names are now escaped where they reach HTML, every page is sent with a
Content-Security-Policy that allows no inline script, and the saved report carries one.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, Dialog, Page

from geo.models import Account, Community, ServiceCenter
from geo.roles import Role
from tests.browser.helpers import Session, browser  # noqa: F401  (fixture)

IMG = '<img src=x onerror="alert(\'img\')">'
LITERAL = "${alert('literal')}"


# Pages keep their maps in closures: note every map Leaflet makes, from before any script runs.
TRACK_MAPS = """
Object.defineProperty(window, "L", {
    configurable: true,
    get() { return this.__L; },
    set(v) {
        this.__L = v;
        if (v && v.Map && !v.__tracked) {
            v.__tracked = true;
            v.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
        }
    },
});
"""


def _open_all_tooltips(page: Page) -> int:
    """Open every Leaflet tooltip on the page's maps (what hovering each feature would do)."""
    return int(page.evaluate("""() => {
        let n = 0;
        for (const m of (window.__maps || [])) {
            m.eachLayer(l => {
                const visit = x => { if (x.getTooltip && x.getTooltip()) { x.openTooltip(); n++; }
                                     if (x.eachLayer) x.eachLayer(visit); };
                visit(l);
            });
        }
        return n;
    }"""))


@pytest.mark.django_db(transaction=True)
def test_it_runs_no_injected_name_on_the_pages(live_server: object,
                                               browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    center = ServiceCenter.objects.order_by("pk").first()
    comm = Community.objects.order_by("code").first()
    assert center is not None and comm is not None
    ServiceCenter.objects.filter(pk=center.pk).update(name=f"中心{IMG}{LITERAL}")
    Community.objects.filter(pk=comm.pk).update(name=f"社区{IMG}{LITERAL}")
    user = User.objects.create_superuser("boss", "", "Boss-password-9")
    Account.assign(user, Role.ADMIN, "")
    s = Session(browser, str(live_server), viewport={"width": 1200, "height": 800})
    page = s.page
    page.add_init_script(TRACK_MAPS)
    # The public center page: its name labels the map on load.
    resp = page.goto(f"{live_server}/centers/{center.pk}/")
    assert resp is not None
    csp = resp.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    page.wait_for_selector(".leaflet-tooltip")
    assert IMG in page.locator(".leaflet-tooltip").inner_text()  # shown as text
    assert page.locator(".leaflet-tooltip img").count() == 0
    # The overview's community tooltips.
    page.goto(f"{live_server}/overview/")
    page.wait_for_function("() => document.getElementById('map').dataset.loaded !== undefined")
    assert _open_all_tooltips(page) > 0
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-tooltip img").count() == 0
    # The staff page's choropleth, members and pairing tooltips.
    s.login("boss", "Boss-password-9")
    page.goto(f"{live_server}/reports/")
    page.wait_for_selector("#map[data-choropleth]", timeout=60_000)
    assert _open_all_tooltips(page) > 0
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-tooltip img, .leaflet-popup img").count() == 0
    assert not s.dialogs, s.dialogs
    assert not s.errors, s.errors


@pytest.fixture
def injected_report(demo_db: None, tmp_path: Path) -> Path:
    """The street report with injected names (before Playwright's loop starts: ORM calls
    made while it runs go through another connection and would outlive the test)."""
    comm = Community.objects.order_by("code").first()
    center = ServiceCenter.objects.filter(community=comm).first()
    assert comm is not None and center is not None
    Community.objects.filter(pk=comm.pk).update(name=f"社区{IMG}{LITERAL}")
    ServiceCenter.objects.filter(pk=center.pk).update(name=f"中心`{LITERAL}{IMG}")
    out = tmp_path / "report.html"
    call_command("coverage_report", "--scope", comm.code[:9], "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    return out


@pytest.mark.django_db
def test_it_runs_no_injected_name_in_the_saved_report(injected_report: Path,
                                                      browser: Browser) -> None:  # noqa: F811
    out = injected_report
    html = out.read_text()
    assert 'http-equiv="Content-Security-Policy"' in html
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(TRACK_MAPS)
    dialogs: list[str] = []
    errors: list[str] = []
    def dialog(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container .leaflet-map-pane", state="attached")
    opened = _open_all_tooltips(page)
    assert opened > 0
    page.wait_for_timeout(300)
    tips = page.locator(".leaflet-tooltip")
    texts = " ".join(tips.nth(i).inner_text() for i in range(tips.count()))
    assert LITERAL in texts or IMG in texts  # the names are there, as text
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert not dialogs, dialogs
    assert not errors, errors
    context.close()


@pytest.mark.django_db
def test_it_sends_the_policy_with_every_page(demo_db: None) -> None:
    boss = User.objects.create_superuser("boss2", "", "Boss-password-9")
    client = Client()
    client.force_login(boss)
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    for url in ("/", "/overview/", "/plan/", "/reports/", f"/centers/{center.pk}/",
                "/accounts/login/", "/admin/", "/admin/geo/servicecenter/",
                f"/admin/geo/servicecenter/{center.pk}/change/", "/api/v1/docs/",
                "/api/v1/centers/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        policy = resp["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy, url
        if "text/html" in resp["Content-Type"]:
            html = resp.content.decode()
            # Every script is a file or a JSON data block; none is inline code.
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
