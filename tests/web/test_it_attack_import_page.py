"""The import page against hostile files: names and cells that are markup or formulas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from geo.models import Account, ImportRun
from geo.roles import Role
from tests.import_helpers import feature_collection, square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def test_it_escapes_hostile_names_and_keeps_formulas_inert(demo_db: None) -> None:
    user = User.objects.create_user("steward-x")
    Account.assign(user, Role.STEWARD, "")
    c = Client()
    c.force_login(user)
    bad = "<script>alert(1)</script>"
    rows = [({"社区名称": f"{bad}社区", "街道名称": "西门街道", "县市区": "海曙区", "户数": 100},
             square(121.6, 29.9)),
            ({"社区名称": "公式社区", "街道名称": "西门街道", "县市区": "海曙区", "户数": "=1+2"},
             square(121.61, 29.9))]
    c.post("/data/import/", {"kind": "communities", "file": SimpleUploadedFile(
        f"{bad}.geojson", feature_collection(rows).encode())})
    run = ImportRun.objects.get()
    for url in ("/data/import/", f"/data/import/{run.pk}/"):
        page = c.get(url).content.decode()
        i = page.find(bad)
        assert i < 0, (url, page[max(0, i - 300):i + 60])
    assert "&lt;script&gt;" in page  # the community name in the preview table, escaped
    assert run.file_name == "script>.geojson"  # the name's path parts were dropped
    c.post(f"/data/import/{run.pk}/options", {"create_parents": "on"})
    c.post(f"/data/import/{run.pk}/check")
    csv = c.get(f"/data/import/{run.pk}/problems.csv").content.decode("utf-8-sig")
    assert "=1+2" in csv
    # Every cell that would start a formula in Excel is written as text ('=…).
    assert not any(cell.startswith(("=", "+", "-", "@"))
                   for line in csv.splitlines()[1:] for cell in line.split(","))
