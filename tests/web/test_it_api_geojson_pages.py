"""GIS clients get the whole layer, not the first page silently (issue 16, "what goes out").

``ogrinfo .../api/v1/buildings/`` gave 200 of 1,724 buildings. Pages now carry OGC-style
``links`` (rel next/prev) and ``numberMatched``; ``?all=true`` streams the whole layer, and
a GDAL client asking without paging parameters gets the whole layer too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from geo.models import Building

pytestmark = pytest.mark.django_db


def _body(resp: Any) -> dict[str, Any]:
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return json.loads(raw)


def test_it_links_every_page_to_the_next_until_the_layer_ends(demo_db: None) -> None:
    client = Client()
    url: str | None = "/api/v1/buildings/?page_size=500"
    seen: list[int] = []
    pages = 0
    while url:
        data = _body(client.get(url))
        pages += 1
        assert data["numberMatched"] == Building.objects.count()
        assert data["numberReturned"] == len(data["features"])
        seen += [f["id"] for f in data["features"]]
        links = {link["rel"]: link for link in data["links"]}
        assert links["self"]["type"] == "application/geo+json"
        if pages > 1:
            assert "prev" in links
        url = links["next"]["href"] if "next" in links else None
    assert pages == -(-Building.objects.count() // 500)
    assert sorted(seen) == sorted(Building.objects.values_list("pk", flat=True))


def test_it_streams_the_whole_layer_when_asked(demo_db: None) -> None:
    client = Client()
    resp = client.get("/api/v1/buildings/?all=true")
    assert resp.status_code == 200 and resp.streaming
    assert resp["Content-Type"] == "application/geo+json"
    data = _body(resp)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == Building.objects.count()
    # The filters still apply to the whole layer.
    code = Building.objects.exclude(community=None).first().community.code
    some = _body(client.get(f"/api/v1/buildings/?all=1&code={code}"))
    assert len(some["features"]) == Building.objects.filter(community__code=code).count()
    # A GDAL client asking plainly gets everything; asking for a page gets that page.
    gdal = client.get("/api/v1/buildings/", HTTP_USER_AGENT="GDAL/3.6.2")
    assert gdal.streaming and len(_body(gdal)["features"]) == Building.objects.count()
    bare = client.get("/api/v1/buildings/", HTTP_ACCEPT="text/plain, application/json")
    assert bare.streaming  # GDAL 3.6 sends no User-Agent, only this Accept
    paged = client.get("/api/v1/buildings/?page=2", HTTP_USER_AGENT="GDAL/3.6.2")
    assert not paged.streaming and _body(paged)["numberReturned"] == 200
    bad = client.get("/api/v1/buildings/?all=maybe")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "all"


@pytest.mark.django_db(transaction=True)
def test_it_gives_ogrinfo_every_building(live_server: object) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.fail("ogrinfo is missing: `make setup` installs Debian's gdal-bin")
    call_command("load_demo", "--generated", verbosity=0)
    proc = subprocess.run([ogrinfo, "-ro", "-so", "-al", f"{live_server}/api/v1/buildings/"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = re.search(r"Feature Count: (\d+)", proc.stdout)
    assert found is not None, proc.stdout
    assert int(found.group(1)) == Building.objects.count() > 200
