"""The import page (/data/import/): stewards upload, check, import and undo in the browser.

Same code path as ``import_layer`` (importers.run.run_import), inside the steward's scope;
every run recorded (who, when, SHA-256, counts) and undoable as a whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from geo.models import Community, District, ImportRun, ImportStatus, ServiceCenter, Street
from geo.roles import Role
from tests.import_helpers import counts, feature_collection, square
from tests.importers.test_it_import_create_parents import ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _client(role: Role | None, scope: str = "", name: str = "steward") -> Client:
    from geo.models import Account

    user = User.objects.create_user(name, password="pw-Steward-1")
    if role is not None:
        Account.assign(user, role, scope)
    c = Client()
    c.force_login(user)
    return c


def _upload(c: Client, kind: str, name: str, content: bytes) -> Any:
    return c.post("/data/import/", {"kind": kind,
                                    "file": SimpleUploadedFile(name, content)})


def _ningbo(rows: list[tuple[dict[str, Any], dict[str, Any]]] = ROWS) -> bytes:
    return feature_collection(rows).encode()


def test_it_uploads_checks_imports_and_undoes_a_file(demo_db: None) -> None:
    c = _client(Role.STEWARD)
    before = counts()
    content = _ningbo()
    resp = _upload(c, "communities", "宁波社区.geojson", content)
    assert resp.status_code == 302
    run = ImportRun.objects.get()
    assert run.file_sha256 == hashlib.sha256(content).hexdigest()
    assert run.file_name == "宁波社区.geojson" and run.user.username == "steward"
    page = c.get(f"/data/import/{run.pk}/").content.decode()
    # What was detected, the mapping, the preview (map data and first rows).
    assert "GeoJSON" in page and "WGS84" in page
    assert 'name="map:district_name"' in page and "县市区" in page
    assert 'id="import-preview"' in page and "养志社区" in page
    # Choose --create-parents, dry run: counts and no problems; nothing written.
    c.post(f"/data/import/{run.pk}/options", {"map:name": "auto", "create_parents": "on"})
    c.post(f"/data/import/{run.pk}/check")
    run.refresh_from_db()
    assert run.status == ImportStatus.CHECKED and run.problems == []
    assert run.counts["created"] == 4 and "新建区县 2 个、街道 3 个" in run.counts["parents"]
    assert counts() == before
    # Import: written, recorded, listed.
    resp = c.post(f"/data/import/{run.pk}/run", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "imported"
    run.refresh_from_db()
    assert run.counts["created"] == 4 and run.imported_at is not None
    assert Community.objects.filter(source=run.source).count() == 4
    assert District.objects.filter(name="海曙区").exists()
    assert c.get(f"/data/import/{run.pk}/progress").json()["status"] == "imported"
    listing = c.get("/data/import/").content.decode()
    assert run.file_sha256[:12] in listing and "宁波社区.geojson" in listing
    # A second click is refused, not run twice.
    again = c.post(f"/data/import/{run.pk}/run", HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    # Undo as a whole: communities, streets and districts it made are gone.
    resp = c.post(f"/data/import/{run.pk}/undo")
    assert resp.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.UNDONE and run.undone_by is not None
    assert counts() == before
    assert not District.objects.filter(name="海曙区").exists()


def test_it_undoes_updates_and_refuses_when_rows_changed_since(demo_db: None) -> None:
    c = _client(Role.STEWARD)
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    old_name, old_area = center.name, center.floor_area
    # A sheet that corrects one center's floor area (matched by name and place).
    csv = (f"名称,层级,建筑面积,经度,纬度\n{center.name},{center.level},1234.5,"
           f"{center.location.x:.9f},{center.location.y:.9f}\n").encode()
    _upload(c, "centers", "centers.csv", csv)
    run = ImportRun.objects.get()
    c.post(f"/data/import/{run.pk}/run")
    center.refresh_from_db()
    assert center.floor_area == 1234.5 and center.name == old_name
    # Someone edits the center after the import: undo must not overwrite that edit.
    center.phone = "028-12345678"
    center.version += 1
    center.save()
    resp = c.post(f"/data/import/{run.pk}/undo")
    assert resp.status_code == 409
    assert "在导入之后已被修改" in resp.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    # Once that edit is itself reverted to the imported version, undo restores the area.
    center.version -= 1
    center.save()
    assert c.post(f"/data/import/{run.pk}/undo").status_code == 302
    center.refresh_from_db()
    assert center.floor_area == old_area


def test_it_lists_every_problem_and_offers_them_as_csv(demo_db: None) -> None:
    c = _client(Role.STEWARD)
    rows = [*ROWS[:2], ({"社区名称": "坏社区", "街道名称": "西门街道", "县市区": "海曙区",
                         "户数": "很多"}, square(121.6, 29.9))]
    _upload(c, "communities", "bad.geojson", _ningbo(rows))
    run = ImportRun.objects.get()
    c.post(f"/data/import/{run.pk}/options", {"create_parents": "on"})
    before = counts()
    c.post(f"/data/import/{run.pk}/run")
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and counts() == before
    page = c.get(f"/data/import/{run.pk}/").content.decode()
    assert 'id="problems"' in page and "households" in page
    csv = c.get(f"/data/import/{run.pk}/problems.csv")
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and "很多" in text
    assert text.count("\n") == 2  # header and the one problem


def test_it_maps_a_column_the_steward_chooses(demo_db: None) -> None:
    c = _client(Role.STEWARD)
    rows = [({"居委全称": "选列社区", "街道名称": "西门街道", "县市区": "海曙区"},
             square(121.6, 29.9))]
    _upload(c, "communities", "odd.geojson", _ningbo(rows))
    run = ImportRun.objects.get()
    page = c.get(f"/data/import/{run.pk}/").content.decode()
    assert "missing_column" in page and "居委全称" in page  # offered as a choice
    c.post(f"/data/import/{run.pk}/options", {"map:name": "居委全称", "create_parents": "on"})
    page = c.get(f"/data/import/{run.pk}/").content.decode()
    assert "missing_column" not in page and "选列社区" in page


def test_it_refuses_other_roles_scopes_and_files(demo_db: None, settings: Any) -> None:
    viewer = _client(Role.VIEWER, name="viewer")
    assert viewer.get("/data/import/").status_code == 403
    planner = _client(Role.PLANNER, name="planner")
    assert planner.get("/data/import/").status_code == 403
    assert _upload(planner, "grids", "g.geojson", _ningbo()).status_code == 403
    assert Client().get("/data/import/").status_code == 302  # to the login page
    city = _client(Role.STEWARD, name="city")
    _upload(city, "communities", "city.geojson", _ningbo())
    run = ImportRun.objects.get()
    district = District.objects.order_by("code").first()
    assert district is not None
    local = _client(Role.STEWARD, district.code, name="local")
    assert local.get(f"/data/import/{run.pk}/").status_code == 404
    assert local.post(f"/data/import/{run.pk}/run").status_code == 404
    assert "city.geojson" not in local.get("/data/import/").content.decode()
    # A district steward importing communities that lie outside it writes nothing.
    _upload(local, "communities", "outside.geojson", _ningbo())
    mine = ImportRun.objects.get(user__username="local")
    local.post(f"/data/import/{mine.pk}/options", {"create_parents": "on"})
    local.post(f"/data/import/{mine.pk}/run")
    mine.refresh_from_db()
    assert mine.status == ImportStatus.FAILED
    assert any(p[2] == "out_of_scope" for p in mine.problems)
    assert not Street.objects.filter(name="东柳街道").exists()
    # Files: the wrong kind of file, and one over the size limit, are refused with a reason.
    bad = _upload(city, "communities", "tool.exe", b"MZ")
    assert bad.status_code == 400 and ".exe" in bad.content.decode()
    settings.IMPORT_MAX_BYTES = 10
    big = _upload(city, "communities", "big.geojson", _ningbo())
    assert big.status_code == 400 and "MB" in big.content.decode()
    # A name with path parts is kept as its base name only.
    settings.IMPORT_MAX_BYTES = 10**6
    _upload(city, "communities", "../../etc/passwd.geojson", _ningbo())
    last = ImportRun.objects.order_by("-pk").first()
    assert last is not None and last.file_name == "passwd.geojson"
    assert ".." not in last.stored


def test_it_speaks_english_to_an_english_steward(demo_db: None) -> None:
    c = _client(Role.STEWARD)
    c.cookies.load({"django_language": "en"})
    page = c.get("/data/import/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Import data" in page and "Upload and check" in page
    for chinese in ("数据导入", "上传并检查", "导入记录", "图层", "党群服务中心", "报到党员"):
        assert chinese not in page
    _upload(c, "communities", "a.geojson", _ningbo())
    run = ImportRun.objects.get()
    detail = c.get(f"/data/import/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Column mapping" in detail and "Dry run" in detail and "uploaded" in detail
    for chinese in ("字段对应", "试运行", "已上传", "读取选项"):
        assert chinese not in detail
