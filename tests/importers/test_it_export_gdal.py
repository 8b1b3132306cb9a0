"""Exports that Debian's own GDAL (3.6, what QGIS 3.22 uses here) reads as they are meant.

GeoPackages came out as v1.4 (the wheel's GDAL), which GDAL 3.6 warns about; GDAL found no
geometry in CSV exports (the WKT column was headed 几何WKT); a CSV in a projected system
labelled metres as 经度/纬度 (issue 16, "what goes out").
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.models import District, GridUnit, ServiceCenter, Street
from tests.import_helpers import import_layer, run

pytestmark = pytest.mark.django_db
OGRINFO = shutil.which("ogrinfo")


def _ogrinfo(path: Path) -> subprocess.CompletedProcess[str]:
    if OGRINFO is None:
        pytest.fail("ogrinfo is missing: `make setup` installs Debian's gdal-bin")
    return subprocess.run([OGRINFO, "-al", "-so", str(path)], capture_output=True, text=True,
                          timeout=60)


def test_it_writes_geopackages_debians_gdal_reads_cleanly(demo_db: None,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "grids.gpkg"
    run("export_layer", "grids", path)
    out = _ogrinfo(path)
    assert out.returncode == 0, out.stderr
    assert "Warning" not in out.stderr and "partially supported" not in out.stderr
    assert f"Feature Count: {GridUnit.objects.count()}" in out.stdout


def test_it_writes_csv_whose_geometry_gdal_finds(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "grids.csv"
    run("export_layer", "grids", path)
    out = _ogrinfo(path)
    assert out.returncode == 0, out.stderr
    assert "Geometry Column = " in out.stdout and "Extent: (104." in out.stdout
    assert f"Feature Count: {GridUnit.objects.count()}" in out.stdout
    assert "户数: Integer" in out.stdout and "网格代码: String" in out.stdout
    GridUnit.objects.all().delete()  # and it still imports back
    assert "created" in import_layer("grids", path)


def test_it_labels_projected_coordinates_as_metres(demo_db: None, tmp_path: Path) -> None:
    path = tmp_path / "centers.csv"
    run("export_layer", "centers", path, "--crs", "EPSG:4544")
    with path.open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert "X" in header and "Y" in header
    assert "经度" not in header and "纬度" not in header
    n = ServiceCenter.objects.count()
    ServiceCenter.objects.all().delete()
    assert f"{n} created" in import_layer("centers", path, "--crs", "EPSG:4544")


@pytest.mark.parametrize("kind", ["districts", "streets"])
def test_it_writes_sheets_whose_header_gdal_finds(demo_db: None, tmp_path: Path,
                                                   kind: str) -> None:
    # A sheet of codes and names only was read by GDAL with its header as the first row.
    path = tmp_path / f"{kind}.xlsx"
    run("export_layer", kind, path)
    out = _ogrinfo(path)
    assert out.returncode == 0, out.stderr
    model = District if kind == "districts" else Street
    assert f"Feature Count: {model.objects.count()}" in out.stdout
    assert "Field1" not in out.stdout and "面积（平方米）: Real" in out.stdout
    # The area is the polygon's, in square metres.
    first = model.objects.order_by("code").first()
    assert first is not None
    rows = subprocess.run([str(OGRINFO), "-al", "-q", str(path)], capture_output=True,
                          text=True, timeout=60).stdout
    area = float(rows.split("面积（平方米） (Real) = ", 1)[1].split()[0])
    metres = first.geom.transform(4544, clone=True).area  # CGCS2000 GK zone CM 105°E
    assert area == pytest.approx(metres, rel=2e-3)
