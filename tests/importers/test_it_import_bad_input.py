"""The corpus of bad inputs: each gives its one-line error and writes nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from pyproj import Transformer

from geo.models import Community
from tests.import_helpers import feature_collection, import_layer, rejected, square

pytestmark = pytest.mark.django_db


def inside_community() -> tuple[float, float]:
    p = Community.objects.order_by("code").first().geom.point_on_surface
    return p.x, p.y


def test_it_rejects_truncated_geojson(demo_db: None, tmp_path: Path) -> None:
    text = feature_collection([({"名称": "甲"}, square(104.0, 30.6))])
    path = tmp_path / "cut.geojson"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    msg = rejected("grids", path)
    assert "[bad_json]" in msg and "truncated" in msg and "nothing written" in msg


def test_it_rejects_a_zip_with_no_shp(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "boundaries.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "社区边界")
        zf.writestr("boundaries.dbf", b"\x03")
    msg = rejected("communities", path)
    assert "[zip_no_shp]" in msg and "readme.txt" in msg


def test_it_rejects_a_zip_far_larger_unpacked(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * (20 * 1024**2))
    msg = rejected("communities", path)
    assert "[zip_bomb]" in msg and "×" in msg
    assert not any(tmp_path.glob("a.shp"))


def test_it_rejects_a_zip_member_leaving_the_folder(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/evil.shp", b"x")
    assert "[zip_unsafe_path]" in rejected("communities", path)


def test_it_rejects_a_self_intersecting_polygon(demo_db: None, tmp_path: Path) -> None:
    x, y = inside_community()
    bowtie = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.001, y + 0.001],
                                                  [x + 0.001, y], [x, y + 0.001], [x, y]]]}
    path = tmp_path / "grids.geojson"
    good = ({"网格名称": "好网格", "户数": 200}, square(x, y, 0.0002))
    path.write_text(feature_collection([good, ({"网格名称": "蝴蝶结", "户数": 10}, bowtie)]))
    report = tmp_path / "report.csv"
    msg = rejected("grids", path, "--report", report)
    assert "1 problems" in msg
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Row" and rows[1][:3] == ["2", "geometry", "invalid_geometry"]
    # GEOS's own English reason is put into the reader's language too.
    assert "self-intersection" in rows[1][3] and "over 0.1%" in rows[1][3]


def test_it_rejects_points_given_as_communities(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    path.write_text(feature_collection(
        [({"社区名称": f"点{i}"}, {"type": "Point", "coordinates": [104.05, 30.66]})
         for i in range(3)]))
    msg = rejected("communities", path)
    assert "[wrong_geometry_type]" in msg and "3 points" in msg and "centers" in msg


def test_it_rejects_gbk_text_read_as_utf8(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("单位名称,单位类型,经度,纬度\n成都市第七中学,学校,104.06,30.65\n"
                     .encode("gbk"))
    msg = rejected("units", path, "--encoding", "utf-8")
    assert "[bad_encoding]" in msg and "--encoding gbk" in msg
    # Detected without --encoding, and the Chinese comes through intact.
    out = import_layer("units", path)
    assert "encoding gb18030" in out
    from geo.models import CoBuildingUnit

    assert CoBuildingUnit.objects.filter(name="成都市第七中学", unit_type="institution").exists()


def test_it_rejects_an_empty_file(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    assert "[empty_file]" in rejected("communities", path)


def test_it_rejects_swapped_latitude_and_longitude(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "centers.csv"
    path.write_text("名称,层级,经度,纬度\n甲中心,社区级,30.65,104.06\n乙中心,社区级,30.66,104.07\n",
                    encoding="utf-8")
    msg = rejected("centers", path)
    assert "[lat_lon_swapped]" in msg and "--map lon=" in msg


def test_it_rejects_projected_metres_claimed_as_wgs84(demo_db: None, tmp_path: Path) -> None:
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4523", always_xy=True)
    x, y = to_gk.transform(104.06, 30.65)
    path = tmp_path / "centers.csv"
    path.write_text(f"名称,层级,经度,纬度\n甲中心,社区级,{x},{y}\n", encoding="utf-8")
    msg = rejected("centers", path, "--crs", "wgs84")
    assert "[projected_as_degrees]" in msg and "EPSG:4523" in msg
    # The suggested fix works.
    out = import_layer("centers", path, "--crs", "EPSG:4523")
    assert "1 created" in out


def test_it_rejects_a_grid_outside_every_community(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "grids.geojson"
    path.write_text(feature_collection([({"网格名称": "飞地", "户数": 200},
                                         square(110.0, 25.0))]))
    msg = rejected("grids", path, "--report", tmp_path / "r.csv")
    assert "1 problems" in msg
    assert "no_parent" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_it_rejects_coordinates_outside_china(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位类型,lon,lat\n巴黎,企业,2.35,48.85\n", encoding="utf-8")
    assert "[outside_china]" in rejected("units", path)


def test_it_names_a_missing_required_column(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "centers.csv"
    path.write_text("名称,经度,纬度\n甲中心,104.06,30.65\n", encoding="utf-8")
    msg = rejected("centers", path)
    assert "[missing_column]" in msg and "level (层级)" in msg and "--map level=" in msg


def test_it_reports_every_bad_value_with_its_row(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位类型,可结对社区数,经度,纬度\n"
                    "甲,企业,2,104.06,30.65\n"
                    "乙,外星机构,1,104.06,30.65\n"
                    "丙,企业,-3,104.06,30.65\n"
                    "丁,企业,1,abc,30.65\n", encoding="utf-8")
    report = tmp_path / "r.csv"
    rejected("units", path, "--report", report)
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("3", "unit_type", "bad_choice"), ("4", "capacity", "out_of_range"),
        ("5", "lon/lat", "not_a_number")]
    out = import_layer("units", path, "--skip-invalid")
    assert "1 created" in out and "3 problems skipped" in out
