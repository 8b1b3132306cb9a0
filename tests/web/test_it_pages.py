"""Home page, health check, offline basemap and the admin with its local map widget."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Pairing,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
    WalkNode,
)

pytestmark = pytest.mark.django_db
MODELS: list[type[Model]] = [
    District, Street, Community, GridUnit, ServiceCenter, CoBuildingUnit, Pairing,
    ReportingMember, Compound, Building, WalkNode, WalkEdge,
]


def test_it_says_the_data_is_generated(demo_db: None, client: Client) -> None:
    html = client.get("/overview/").content.decode()
    assert 'id="demo-banner"' in html and "锦城示范区（演示）" in html
    assert "<b>36</b> 社区" in html


def test_it_answers_the_health_check(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["ok"] is True and body["postgis"].startswith("3.")


def test_it_serves_the_basemap_by_bbox(demo_db: None, client: Client) -> None:
    url = reverse("webmap:basemap-context")
    everything = client.get(url).json()["features"]
    kinds = {f["properties"]["kind"] for f in everything}
    assert kinds == {"road", "community"}
    corner = client.get(url, {"bbox": "104.159,30.559,104.165,30.565"}).json()["features"]
    assert 0 < len(corner) < len(everything)
    bad = client.get(url, {"bbox": "1,2,x,4"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_bbox"


def test_it_loads_no_script_or_style_from_another_host(demo_db: None, client: Client) -> None:
    admin = User.objects.create_superuser("boss", "", "pw-unused-in-test")
    client.force_login(admin)
    pages = ["/", "/overview/", "/plan/", "/reports/", "/accounts/login/",
             f"/centers/{ServiceCenter.objects.first().pk}/"]
    for model in MODELS:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        obj = model._default_manager.first()
        assert obj is not None, model
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    for page in pages:
        resp = client.get(page)
        assert resp.status_code == 200, page
        html = resp.content.decode()
        remote = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, (page, remote)
    # Grid shapes are edited in /plan/ only; a community's boundary has the map widget.
    html = client.get(reverse("admin:geo_community_change",
                              args=[Community.objects.first().pk])).content.decode()
    assert "/static/vendor/ol/ol.js" in html and "basemap/context.geojson" in html
    assert "/static/webmap/olwidget.js" in html


def test_it_switches_the_interface_to_english(demo_db: None, client: Client) -> None:
    assert "找最近的党群服务中心" in client.get("/").content.decode()
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert resp.status_code == 302
    html = client.get("/").content.decode()
    assert "Find the nearest party-mass service center" in html and 'lang="en"' in html
    catalog = client.get("/jsi18n/").content.decode()
    assert "Computing walking distances" in catalog


def test_it_shows_a_center_on_its_own_page(demo_db: None, client: Client) -> None:
    center = ServiceCenter.objects.exclude(phone="").first()
    assert center is not None
    html = client.get(f"/centers/{center.pk}/").content.decode()
    assert center.name in html and f'href="tel:{center.phone}"' in html
    assert client.get("/centers/999999/").status_code == 404


def test_it_gives_page_scripts_their_urls_from_the_server() -> None:
    """The scripts take every route from reverse() (wangge-config), none as a literal."""
    import re
    from pathlib import Path

    from django.urls import resolve

    from webmap.context import script_urls

    static = Path(__file__).resolve().parents[2] / "webmap" / "static" / "webmap"
    for js in static.glob("*.js"):
        literals = re.findall(r"""["'`]/(?:api|plan|reports|centers|data)/""", js.read_text())
        assert not literals, f"{js.name} hard-codes {literals}"
    for key, url in script_urls().items():
        filled = url.replace("{code}", "510199001001").replace("{id}", "1")
        assert resolve(filled), key


def test_it_shows_residents_a_header_without_staff_links(demo_db: None,
                                                         staff_client: Client) -> None:
    """A resident's header: find, overview, language, staff login; no editor or reports."""
    resident = Client().get("/").content.decode()
    header = resident.split("</header>", 1)[0]
    assert 'href="/plan/"' not in header and 'href="/reports/"' not in header
    assert 'href="/data/import/"' not in header and 'href="/accounts/login/"' in header
    staff = staff_client.get("/").content.decode().split("</header>", 1)[0]
    for link in ('href="/plan/"', 'href="/reports/"', 'href="/data/import/"'):
        assert link in staff
    assert 'href="/accounts/login/"' not in staff
