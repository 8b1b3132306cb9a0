"""Every page, in both languages, on a phone and a desktop: rendered after its scripts ran,
it fits the screen's width, its map is on screen, it reads in one language, and a screenshot
of it is kept in var/screenshots for a person to look at."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Browser

from geo.models import ServiceCenter
from tests.browser.helpers import Session, browser  # noqa: F401  (fixture)
from tests.web.test_it_one_language import CJK, ENGLISH_WORD, NAMES, data_strings

pytestmark = pytest.mark.django_db(transaction=True)

DEVICES = {
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1366, "height": 850}},
}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
# Words the rendered pages show in both languages: Leaflet's zoom buttons and scale bar, the
# OSM licence line, the language switch.
RENDERED_NAMES = NAMES | {"OpenStreetMap", "contributors", "Leaflet"}


def one_language_problems(text: str, language: str, data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    if language == "en":
        return CJK.findall(text.replace("中文", " "))
    return [w for w in ENGLISH_WORD.findall(text) if w not in RENDERED_NAMES]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("language", LOCALES)
def test_it_renders_every_page(live_server: object, browser: Browser,  # noqa: F811
                               language: str, device: str) -> None:
    call_command("load_demo", "--generated", verbosity=0)
    User.objects.create_superuser("chief", password="pw-chief-123")
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    pages = {"finder": "/", "center": f"/centers/{center.pk}/", "overview": "/overview/",
             "plan": "/plan/", "reports": "/reports/", "import": "/data/import/",
             "events": "/events/", "duties": "/members/duties/",
             "organisation": "/organisation/", "stars": "/stars/", "wishes": "/wishes/",
             "lists": "/lists/", "signs": "/signs/",
             "ogcapi": "/ogcapi/?f=html",
             "ogcapi-items": "/ogcapi/collections/grids/items?f=html&limit=20"}
    data = data_strings()
    s = Session(browser, str(live_server), locale=LOCALES[language], **DEVICES[device])
    page = s.page
    page.goto(f"{live_server}/accounts/login/")
    page.wait_for_load_state("networkidle")
    s.screenshot(f"page-login-{language}-{device}")
    s.login("chief", "pw-chief-123")
    width = DEVICES[device]["viewport"]["width"]  # type: ignore[index]
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # the maps' fit and label placement after the last tile
        s.screenshot(f"page-{name}-{language}-{device}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, f"{name}: {overflow} px wider than the {width} px screen"
        maps = page.locator(".leaflet-container")
        if maps.count():
            box = maps.first.bounding_box()
            assert box is not None and box["height"] >= 200 and box["y"] < 740, (name, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)
        # What a reader sees, less literal identifiers (<code>: URLs, protocol names).
        text = page.evaluate("""() => {
            const codes = [...document.querySelectorAll('code')];
            codes.forEach(c => { c.dataset.display = c.style.display; c.style.display = 'none'; });
            const text = document.body.innerText;
            codes.forEach(c => { c.style.display = c.dataset.display; });
            return text; }""")
        assert one_language_problems(text, language, data) == [], name
        if device == "phone" and name == "reports":
            # An open layer list would cover most of a phone's map: it starts folded.
            assert page.locator(".leaflet-control-layers-expanded").count() == 0
    assert s.errors == [] and s.blocked == []
