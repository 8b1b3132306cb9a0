"""The home page map draws in headless Chromium with every outside host unreachable."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed; `make setup` installs Debian's chromium package")


def test_it_draws_the_map_offline(live_server: object) -> None:
    from django.core.management import call_command

    call_command("load_demo", "--generated", verbosity=0)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}",
             # Every host but the test server resolves nowhere: the page must not need one.
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
             "--virtual-time-budget=8000", "--dump-dom", f"{live_server}/overview/"],
            capture_output=True, text=True, timeout=120,
        )
    dom = proc.stdout
    assert 'id="map"' in dom, proc.stderr[-2000:]
    loaded = dom.split('data-loaded="', 1)
    assert len(loaded) == 2, "the map script never finished loading its data"
    assert int(loaded[1].split('"', 1)[0]) > 100
    # Roads and boundaries are drawn on a canvas (preferCanvas) inside the Leaflet map.
    assert "leaflet-container" in dom and "<canvas" in dom
