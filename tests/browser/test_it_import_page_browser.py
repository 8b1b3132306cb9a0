"""A steward imports a community file in Chromium: preview map, options, import, undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from geo.models import Community, ImportRun
from geo.roles import Role
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)
from tests.import_helpers import feature_collection
from tests.importers.test_it_import_create_parents import ROWS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def steward(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    call_command("load_demo", "--generated", verbosity=0)
    user_with("steward", "Steward-pass-9", role=Role.STEWARD)
    path = tmp_path / "宁波社区.geojson"
    path.write_text(feature_collection(ROWS), encoding="utf-8")
    return path


def test_it_imports_and_undoes_a_file_in_the_browser(live_server: object, steward: Path,
                                                     browser: Browser) -> None:  # noqa: F811
    s = Session(browser, str(live_server), viewport={"width": 1200, "height": 900})
    s.login("steward", "Steward-pass-9")
    page = s.page
    page.goto(f"{live_server}/data/import/")
    page.select_option("select[name=kind]", "communities")
    page.set_input_files("input[name=file]", str(steward))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#fact-format")
    assert "GeoJSON" in page.locator("#fact-format").inner_text()
    # The preview map drew the file's shapes, with a legend.
    page.wait_for_selector("#map[data-loaded='5']")
    assert page.locator("#map path.leaflet-interactive").count() == 5
    assert "预览" in page.locator("#legend").inner_text()
    page.check("input[name=create_parents]")
    page.click("#options-form button[type=submit]")
    page.wait_for_selector("#dry-run")
    page.click("#dry-run")
    page.wait_for_selector("#counts")
    assert "试运行" in page.locator("#counts").inner_text()
    s.screenshot("import-checked")
    page.click("#do-import")
    page.wait_for_selector("#undo")
    assert "新建 4" in page.locator("#counts").inner_text()
    run = ImportRun.objects.get()
    assert Community.objects.filter(source=run.source).count() == 4
    s.screenshot("import-done")
    page.click("#undo")
    page.wait_for_selector("h1:has-text('已撤销')")
    assert not Community.objects.filter(source=run.source).exists()
    assert not s.blocked, s.blocked
    assert not s.errors, s.errors
