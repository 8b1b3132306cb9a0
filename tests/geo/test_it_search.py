"""Name search: prefix before substring before fuzzy; Chinese names; bad parameters."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Polygon
from django.test import Client

from geo.models import Community, Compound

pytestmark = pytest.mark.django_db


def test_it_finds_compounds_by_prefix_substring_and_typo(demo_db: None, client: Client) -> None:
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    c = comm.geom.point_on_surface
    box = Polygon.from_bbox((c.x - 1e-4, c.y - 1e-4, c.x + 1e-4, c.y + 1e-4))
    for name in ("翡翠湾花园小区", "东翡翠湾苑", "翡翠弯花园"):
        Compound.objects.create(name=name, geom=box, households=100)
    res = client.get("/api/v1/search", {"q": "翡翠湾"}).json()["results"]
    names = [r["name"] for r in res]
    assert names.index("翡翠湾花园小区") < names.index("东翡翠湾苑")
    first = res[0]
    assert first["name"] == "翡翠湾花园小区" and first["kind"] == "compound"
    assert first["detail"] == comm.name  # the community it lies in
    assert abs(first["lon"] - c.x) < 2e-4 and abs(first["lat"] - c.y) < 2e-4
    # A typo still finds it through trigram similarity (needs a UTF-8 ctype).
    def names_for(q: str) -> list[str]:
        return [r["name"] for r in client.get("/api/v1/search", {"q": q}).json()["results"]]

    fuzzy = names_for("翡翠湾花园小")
    assert "翡翠弯花园" not in fuzzy or fuzzy.index("翡翠湾花园小区") < fuzzy.index("翡翠弯花园")
    typo = names_for("翡翠弯花园小区")
    assert "翡翠湾花园小区" in typo
    # LIKE wildcards in the query are literal.
    assert client.get("/api/v1/search", {"q": "%"}).json()["results"] == []


def test_it_finds_communities_and_centers(demo_db: None, client: Client) -> None:
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    kinds = {r["kind"] for r in client.get("/api/v1/search", {"q": comm.name}).json()["results"]}
    assert "community" in kinds


def test_it_names_bad_parameters(demo_db: None, client: Client) -> None:
    resp = client.get("/api/v1/search")
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "q"
    resp = client.get("/api/v1/search", {"q": "x", "limit": "500"})
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "limit"


def test_it_finds_a_place_by_sound_pinyin_and_initials(demo_db: None, client: Client) -> None:
    comm = Community.objects.order_by("code").first()
    assert comm is not None
    c = comm.geom.point_on_surface
    box = Polygon.from_bbox((c.x - 1e-4, c.y - 1e-4, c.x + 1e-4, c.y + 1e-4))
    Compound.objects.create(name="海棠湾小区", geom=box, households=100)

    def first(q: str) -> str:
        results = client.get("/api/v1/search", {"q": q}).json()["results"]
        return results[0]["name"] if results else ""

    assert first("海堂湾") == "海棠湾小区"      # a wrong character of the same sound
    assert first("haitangwan") == "海棠湾小区"  # pinyin on a phone keyboard
    assert first("HaiTang Wan") == "海棠湾小区"  # with capitals and spaces
    assert first("htwxq") == "海棠湾小区"       # initials
    # A name written later is found too (saving a place drops the "all spelt" mark).
    Compound.objects.create(name="紫荆苑", geom=box, households=50)
    assert first("zijingyuan") == "紫荆苑"
    # One letter matches nothing by spelling: too many names start with it.
    assert all(r["score"] < 1 or "h" in r["name"].lower()
               for r in client.get("/api/v1/search", {"q": "h"}).json()["results"])
