"""import_layer: encodings, field mapping, coordinate systems, parents, codes, re-imports."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geo.analysis.chinacoords import wgs84_to_bd09
from geo.analysis.projection import GEOD
from geo.models import CoBuildingUnit, Community, GridUnit, ServiceCenter, Street
from tests.conftest import shared_file
from tests.import_helpers import feature_collection, import_layer, rejected, square

pytestmark = pytest.mark.django_db


def a_community() -> Community:
    c = Community.objects.select_related("street").order_by("code").first()
    assert c is not None
    return c


def small_square_inside(c: Community, d: float = 0.0002) -> Polygon:
    p = c.geom.point_on_surface
    return shapely.box(p.x - d / 2, p.y - d / 2, p.x + d / 2, p.y + d / 2)


def test_it_reads_a_gbk_shapefile_by_its_cpg(demo_db: None, tmp_path: Path) -> None:
    c = a_community()
    gdf = gpd.GeoDataFrame({"网格名称": ["锦江第一网格"], "社区名称": [c.name], "户数": ["320户"],
                            "网格长": ["张三"], "网格员": ["李四:13800000000;王五"]},
                           geometry=[small_square_inside(c)], crs="EPSG:4326")
    shp = tmp_path / "grids.shp"
    gdf.to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").write_text("GBK")
    out = import_layer("grids", shp)
    assert "encoding GBK from grids.cpg" in out
    assert "name ← 网格名称" in out and "households ← 户数" in out
    grid = GridUnit.objects.get(name="锦江第一网格")
    assert grid.community == c and grid.households == 320 and grid.leader == "张三"
    assert grid.workers == [{"name": "李四", "phone": "13800000000"}, {"name": "王五", "phone": ""}]
    assert grid.code_provisional and grid.code.startswith(c.code) and grid.code.endswith("999")


def test_it_uses_map_overrides_and_prints_them(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("单位,性质,X坐标,Y坐标,名额\n成都银行,国企,104.07,30.66,3\n", encoding="utf-8")
    out = import_layer("units", path, "--map", "lon=X坐标", "--map", "lat=Y坐标",
                       "--map", "capacity=名额")
    assert "lon ← X坐标 *" in out and "capacity ← 名额 *" in out
    unit = CoBuildingUnit.objects.get(name="成都银行")
    assert (unit.unit_type, unit.capacity) == ("soe", 3)
    assert "[map_column]" in rejected("units", path, "--map", "capacity=没有这列")


def test_it_converts_bd09_within_5_cm(demo_db: None, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(104.0, 104.2, 50), rng.uniform(30.55, 30.75, 50)
    blon, blat = wgs84_to_bd09(lon, lat)
    pairs = zip(blon.tolist(), blat.tolist(), strict=True)
    rows = "\n".join(f"点{i},社区级,{x!r},{y!r}" for i, (x, y) in enumerate(pairs))
    path = tmp_path / "centers.csv"
    path.write_text("名称,层级,经度,纬度\n" + rows, encoding="utf-8")
    import_layer("centers", path, "--crs", "bd09")
    for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
        loc = ServiceCenter.objects.get(name=f"点{i}").location
        assert GEOD.inv(x, y, loc.x, loc.y)[2] < 0.05


def test_it_reads_the_projection_from_a_prj(demo_db: None, tmp_path: Path) -> None:
    c = a_community()
    # GDAL cuts DBF names at 10 bytes: 社区代码 (12 bytes in UTF-8) would lose a character.
    gdf = gpd.GeoDataFrame({"名称": ["高斯网格"], "comm_code": [c.code], "户数": [200]},
                           geometry=[small_square_inside(c)], crs="EPSG:4326").to_crs(4523)
    gdf.to_file(tmp_path / "gk.shp", encoding="UTF-8")
    out = import_layer("grids", tmp_path / "gk.shp")
    assert "CGCS2000 / 3-degree Gauss-Kruger zone 35" in out
    got = GridUnit.objects.get(name="高斯网格").geom
    want = small_square_inside(c)
    assert shapely.from_wkb(bytes(got.wkb)).hausdorff_distance(want) < 1e-7


def test_it_finds_parents_by_name_then_location(demo_db: None, tmp_path: Path) -> None:
    c = a_community()
    other = Community.objects.exclude(pk=c.pk).order_by("code").first()
    assert other is not None
    p = other.geom.point_on_surface
    path = tmp_path / "grids.geojson"
    path.write_text(feature_collection([
        ({"网格名称": "按名称", "社区名称": c.name, "街道名称": c.street.name, "户数": 200},
         shapely.geometry.mapping(small_square_inside(c))),
        ({"网格名称": "按位置", "户数": 200}, square(p.x, p.y, 0.0002)),
    ]))
    out = import_layer("grids", path)
    assert "Parents by name 1, location 1" in out
    assert GridUnit.objects.get(name="按名称").community == c
    assert GridUnit.objects.get(name="按位置").community == other


def test_it_replaces_provisional_codes_and_renames_children(demo_db: None,
                                                             tmp_path: Path) -> None:
    street = Street.objects.order_by("code").first()
    assert street is not None
    d = 0.002
    x, y = street.geom.point_on_surface.x, street.geom.point_on_surface.y
    ring = shapely.box(x - d, y - d, x + d, y + d)
    path = tmp_path / "c.geojson"
    path.write_text(feature_collection([({"社区名称": "新建社区", "街道代码": street.code,
                                          "户数": 900}, shapely.geometry.mapping(ring))]))
    assert "1 provisional codes" in import_layer("communities", path)
    new = Community.objects.get(name="新建社区")
    assert new.code_provisional and new.code == f"{street.code}999"
    grid_path = tmp_path / "g.geojson"
    grid_path.write_text(feature_collection([({"网格名称": "新网格", "社区代码": new.code,
                                               "户数": 300}, square(x, y, 0.0005))]))
    import_layer("grids", grid_path)
    # Running the code-less file again updates, never duplicates.
    assert "0 created, 0 updated, 1 unchanged" in import_layer("communities", path)
    path.write_text(feature_collection([({"社区名称": "新建社区", "社区代码": f"{street.code}050",
                                          "街道代码": street.code, "户数": 950},
                                         shapely.geometry.mapping(ring))]))
    assert "0 created, 1 updated" in import_layer("communities", path)
    new.refresh_from_db()
    assert (new.code, new.code_provisional, new.households, new.version) == \
        (f"{street.code}050", False, 950, 2)
    assert GridUnit.objects.get(name="新网格").code.startswith(f"{street.code}050")


def test_it_repairs_only_within_a_tenth_of_a_percent(demo_db: None, tmp_path: Path) -> None:
    c = a_community()
    p = c.geom.point_on_surface
    d = 0.001
    e, m = 1e-6, p.x + d / 2
    # A square whose top edge crosses itself in a loop 1e-6° wide: invalid, and the
    # repair changes the area by about (e/d)², far below 0.1%.
    notch = [(p.x, p.y), (p.x + d, p.y), (p.x + d, p.y + d), (m + e, p.y + d),
             (m - e, p.y + d + e), (m + e, p.y + d + e), (m - e, p.y + d), (p.x, p.y + d),
             (p.x, p.y)]
    poly = Polygon(notch)
    assert not poly.is_valid
    path = tmp_path / "g.geojson"
    path.write_text(feature_collection([({"网格名称": "修复网格", "户数": 200},
                                         shapely.geometry.mapping(poly))]))
    out = import_layer("grids", path)
    assert "repaired" in out and "1 created" in out
    assert GridUnit.objects.get(name="修复网格").geom.valid


def test_it_points_center_footprints_and_finds_their_street(demo_db: None,
                                                           tmp_path: Path) -> None:
    c = a_community()
    foot = small_square_inside(c, 0.0003)
    path = tmp_path / "centers.geojson"
    path.write_text(feature_collection([({"名称": "带占地中心", "层级": "社区", "建筑面积": "650㎡",
                                          "可挂牌": "是", "服务窗口": "党员服务；帮办代办"},
                                         shapely.geometry.mapping(foot))]))
    import_layer("centers", path)
    center = ServiceCenter.objects.get(name="带占地中心")
    assert center.footprint is not None and center.floor_area == 650.0
    assert center.community == c and center.street == c.street
    assert center.services == ["party", "proxy"] and center.licensed
    assert center.footprint.contains(center.location)


def test_it_reads_xlsx_with_excel_number_codes(demo_db: None, tmp_path: Path) -> None:
    import pandas as pd

    c = a_community()
    frame = pd.DataFrame({"社区代码": [float(c.code)], "社区名称": [c.name], "户数": [1234.0],
                          "人口": ["3,456人"]})
    geom = Community.objects.get(pk=c.pk).geom
    frame["几何WKT"] = [geom.wkt]
    frame.to_excel(tmp_path / "c.xlsx", index=False)
    out = import_layer("communities", tmp_path / "c.xlsx", "--dry-run")
    assert "would be 0 created, 1 updated" in out
    import_layer("communities", tmp_path / "c.xlsx")
    c.refresh_from_db()
    assert (c.households, c.population) == (1234, 3456)


def test_it_imports_shanghai_schools_once(demo_db: None) -> None:
    path = shared_file("shanghai-schools.csv")
    out = import_layer("units", path)
    assert "6,151 created" in out
    assert CoBuildingUnit.objects.filter(source=path.name, unit_type="university").count() > 1000
    assert "0 created, 0 updated, 6,151 unchanged" in import_layer("units", path)
    unit = CoBuildingUnit.objects.get(name="上海市卢湾高级中学")
    assert (unit.location.x, unit.location.y) == (121.46436687022374, 31.204217797406105)
