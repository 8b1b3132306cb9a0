"""export_layer → import_layer gives back the same rows and geometries, in every format."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from openpyxl import load_workbook
from shapely import from_wkb, get_coordinates

from geo.models import Account, GridUnit, PersonalDataAccess, ReportingMember, ServiceCenter
from geo.roles import Role
from tests.import_helpers import import_layer, run

pytestmark = pytest.mark.django_db
FORMATS = ["geojson", "gpkg", "zip", "kml", "csv", "xlsx"]


def snapshot(model: Any, geom: str, fields: list[str]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for obj in model.objects.order_by("pk"):
        key = obj.code or obj.name
        out[key] = (*(getattr(obj, f) for f in fields), from_wkb(bytes(getattr(obj, geom).wkb)))
    return out


def assert_same(before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]],
                tol: float) -> None:
    assert before.keys() == after.keys()
    for key, b in before.items():
        a = after[key]
        assert a[:-1] == b[:-1], key
        assert len(get_coordinates(a[-1])) == len(get_coordinates(b[-1])), key
        assert a[-1].hausdorff_distance(b[-1]) <= tol, key


GRID_FIELDS = ["name", "community_id", "households", "households_estimated", "zone_type",
               "leader", "workers", "party_branch", "code_provisional"]
CENTER_FIELDS = ["name", "level", "community_id", "street_id", "floor_area", "opening_hours",
                 "services", "phone", "address", "licensed", "comprehensive"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_round_trips_grids(demo_db: None, tmp_path: Path, fmt: str) -> None:
    before = snapshot(GridUnit, "geom", GRID_FIELDS)
    path = tmp_path / f"grids.{fmt}"
    assert "Exported 296 grids" in run("export_layer", "grids", path)
    GridUnit.objects.all().delete()
    out = import_layer("grids", path)
    assert "296 created" in out
    assert_same(before, snapshot(GridUnit, "geom", GRID_FIELDS), 1e-12)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_round_trips_centers(demo_db: None, tmp_path: Path, fmt: str) -> None:
    before = snapshot(ServiceCenter, "location", CENTER_FIELDS)
    path = tmp_path / f"centers.{fmt}"
    run("export_layer", "centers", path)
    ServiceCenter.objects.all().delete()
    import_layer("centers", path)
    assert_same(before, snapshot(ServiceCenter, "location", CENTER_FIELDS), 1e-12)


@pytest.mark.parametrize("crs", ["gcj02", "bd09", "EPSG:4523", "cgcs2000"])
def test_it_round_trips_other_coordinate_systems(demo_db: None, tmp_path: Path,
                                                 crs: str) -> None:
    before = snapshot(GridUnit, "geom", GRID_FIELDS)
    path = tmp_path / "grids.gpkg"
    run("export_layer", "grids", path, "--crs", crs)
    GridUnit.objects.all().delete()
    # A GeoPackage in EPSG:4523 declares it; GCJ-02/BD-09 have no EPSG code: say so.
    extra = ["--crs", crs] if crs in ("gcj02", "bd09") else []
    import_layer("grids", path, *extra)
    assert_same(before, snapshot(GridUnit, "geom", GRID_FIELDS), 1e-7)


def test_it_reimports_an_unchanged_export_as_unchanged(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "grids.geojson"
    run("export_layer", "grids", path, "--crs", "gcj02")
    out = import_layer("grids", path, "--crs", "gcj02")
    assert "0 created, 0 updated, 296 unchanged" in out


def test_it_writes_chinese_headers_and_utf8_shapefiles(demo_db: None, tmp_path: Path) -> None:
    run("export_layer", "communities", tmp_path / "c.xlsx")
    ws = load_workbook(tmp_path / "c.xlsx").active
    assert ws is not None
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["社区代码", "社区名称", "街道代码", "街道名称"] and "户数" in headers
    assert ws.freeze_panes == "A2"
    run("export_layer", "communities", tmp_path / "c.zip")
    with zipfile.ZipFile(tmp_path / "c.zip") as zf:
        names = sorted(zf.namelist())
        assert names == ["communities.cpg", "communities.dbf", "communities.prj",
                         "communities.shp", "communities.shx"]
        assert zf.read("communities.cpg").strip() == b"UTF-8"
        assert "社区".encode() in zf.read("communities.dbf")


def test_it_masks_personal_data_unless_asked(demo_db: None, tmp_path: Path) -> None:
    member = ReportingMember.objects.exclude(phone="").order_by("pk").first()
    assert member is not None
    run("export_layer", "members", tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert member.phone not in text and f"{member.phone[:3]}****{member.phone[-4:]}" in text
    assert member.id_number not in text and member.name not in text
    assert member.name[0] + "*" * (len(member.name) - 1) in text
    # A masked file cannot overwrite the real numbers.
    with pytest.raises(Exception, match="problems"):
        import_layer("members", tmp_path / "m.csv")
    # Unmasked only for a user allowed to see it, and logged against them.
    with pytest.raises(CommandError, match="needs --as"):
        run("export_layer", "members", tmp_path / "full.csv", "--with-personal-data")
    viewer = User.objects.create_user("viewer-x")
    Account.assign(viewer, Role.VIEWER, "")
    with pytest.raises(CommandError, match="view_personal_data"):
        run("export_layer", "members", tmp_path / "full.csv", "--with-personal-data",
            "--as", "viewer-x")
    assert not (tmp_path / "full.csv").exists()
    admin = User.objects.create_user("admin-x")
    Account.assign(admin, Role.ADMIN, "")
    run("export_layer", "members", tmp_path / "full.csv", "--with-personal-data",
        "--as", "admin-x")
    assert member.phone in (tmp_path / "full.csv").read_text(encoding="utf-8-sig")
    log = PersonalDataAccess.objects.get(user=admin)
    assert log.channel == "export" and log.count == ReportingMember.objects.count()
    assert "1,639 unchanged" in import_layer("members", tmp_path / "full.csv")
