"""Real GIS clients read /ogcapi/ and /tiles/: GDAL (OAPIF, MVT), OWSLib and QGIS 3.22."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from geo.models import (
    Building,
    Community,
    Compound,
    District,
    GridUnit,
    ServiceCenter,
    Street,
    WalkEdge,
)

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = Path(__file__).with_name("qgis_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def counts() -> dict[str, int]:
    return {"districts": District.objects.count(), "streets": Street.objects.count(),
            "communities": Community.objects.count(), "grids": GridUnit.objects.count(),
            "centers": ServiceCenter.objects.count(), "compounds": Compound.objects.count(),
            "buildings": Building.objects.count(), "roads": WalkEdge.objects.count()}


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_it_is_read_whole_by_gdal(live_server: object, tmp_path: Path) -> None:
    call_command("load_demo", "--generated", verbosity=0)
    base = str(live_server)
    expected = counts()
    # ogrinfo reports every grid, reading pages of 50 (the demo has about 300).
    info = run("ogrinfo", "-ro", "-al", "-so", f"OAPIF:{base}/ogcapi/collections/grids",
               "-oo", "PAGE_SIZE=50")
    assert f"Feature Count: {expected['grids']}" in info
    assert re.search(r"^households: Integer ", info, re.M)
    assert re.search(r"^updated_at: DateTime ", info, re.M)
    # Iterating (not the count the server states): every feature arrives, none twice.
    listing = run("ogrinfo", "-ro", "-al", "-q", f"OAPIF:{base}/ogcapi/collections/grids",
                  "-oo", "PAGE_SIZE=50", "-fields=YES", "-geom=NO")
    fids = re.findall(r"^OGRFeature\(grids\):(\d+)$", listing, re.M)
    assert len(fids) == expected["grids"]
    # ogr2ogr copies every public layer to a GeoPackage with the database's counts.
    gpkg = tmp_path / "wangge.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{base}/ogcapi", "-oo", "PAGE_SIZE=500")
    for layer, n in expected.items():
        out = run("ogrinfo", "-ro", "-so", str(gpkg), layer)
        assert f"Feature Count: {n}" in out, layer
    assert "units" not in run("ogrinfo", "-ro", "-so", "-q", str(gpkg))
    # GDAL's MVT driver opens one zoom level of the vector tiles as a tile set.
    mvt = run("ogrinfo", "-ro", "-al", "-so", f"MVT:{base}/tiles/grids/14")
    found = re.search(r"Feature Count: (\d+)", mvt)
    assert found is not None
    count = int(found.group(1))
    # Grids cut by tile edges come once per tile they meet: at least every grid once.
    assert count >= expected["grids"]
    assert re.search(r"^community_code: String", mvt, re.M)


def test_it_is_read_by_owslib(live_server: object) -> None:
    from owslib.ogcapi.features import Features

    call_command("load_demo", "--generated", verbosity=0)
    api = Features(f"{live_server}/ogcapi/")
    assert "grids" in {c["id"] for c in api.collections()["collections"]}
    assert any(c.endswith("ogcapi-features-1/1.0/conf/core")
               for c in api.conformance()["conformsTo"])
    page = api.collection_items("centers", limit=5)
    assert page["numberReturned"] == 5 and page["numberMatched"] == ServiceCenter.objects.count()
    queryables = api.collection_queryables("grids")
    assert "community_code" in queryables["properties"]


def test_it_is_opened_by_qgis(live_server: object, tmp_path: Path) -> None:
    if subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"],
                      capture_output=True).returncode != 0:
        pytest.fail("QGIS's Python bindings are missing: `make setup` installs Debian's "
                    "python3-qgis and qgis-providers")
    call_command("load_demo", "--generated", verbosity=0)
    png = tmp_path / "qgis-tiles.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run([SYSTEM_PYTHON, str(PROBE), str(live_server), str(png)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = counts()
    for cid in ("grids", "centers", "communities"):
        layer = result["oapif"][cid]
        assert layer["valid"], cid
        assert layer["count"] == layer["iterated"] == expected[cid], (cid, layer)
        assert layer["crs"] == "EPSG:4326"
    assert {"code", "community_code", "households", "updated_at"} <= set(
        result["oapif"]["grids"]["fields"])
    tiles = result["tiles"]
    assert tiles["valid"] and tiles["drawn_samples"] > 0.5 * tiles["samples"], tiles
    assert png.exists()
