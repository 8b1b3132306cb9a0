"""Import benchmarks: import_osm beside osm2pgsql on the same file; CSV rows per second.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_import.py [--quick]``). Every
import runs inside a transaction that is rolled back, so the database is left as it was.
Each figure sits beside a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SHARED = Path(os.environ.get("WANGGE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def seconds(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def rolled_back(fn: Callable[[], object]) -> Callable[[], None]:
    from django.db import transaction

    def run() -> None:
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)
    return run


def bench_osm(repeat: int) -> None:
    from django.conf import settings

    from importers.osm import read_osm
    from importers.osm_store import store_osm

    src = SHARED / "chengdu-center.osm"
    if not src.exists():
        print(f"import_osm: {src} not present; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # A file name of its own: the network is stored per file, so every run creates it.
        path = Path(tmp) / "bench-chengdu-center.osm"
        shutil.copy(src, path)
        read = seconds(lambda: read_osm(path), repeat)
        extract = read_osm(path)
        store = seconds(rolled_back(lambda: store_osm(extract)), repeat)
        total = statistics.median(read) + statistics.median(store)
        print(f"import_osm {src.name}: read (osmnx) median {statistics.median(read):.2f} s, "
              f"store median {statistics.median(store):.2f} s, total {total:.2f} s")
        exe = shutil.which("osm2pgsql")
        if exe is None:
            print("osm2pgsql: not installed (Debian package osm2pgsql); no reference")
            return
        db = settings.DATABASES["default"]
        env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
        conn = ["-h", str(db["HOST"]), "-p", str(db["PORT"]), "-U", str(db["USER"])]
        name = "wangge_bench_osm2pgsql"
        psql = shutil.which("psql") or "psql"
        subprocess.run([psql, *conn, "-d", str(db["NAME"]), "-qc",
                        f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                       check=True, env=env, capture_output=True)
        try:
            # postgis comes from template1; hstore is a trusted extension the owner may add.
            subprocess.run([psql, *conn, "-d", name, "-qc",
                            "CREATE EXTENSION IF NOT EXISTS postgis",
                            "-c", "CREATE EXTENSION IF NOT EXISTS hstore"], check=True,
                           env=env, capture_output=True)

            # osm2pgsql spells host and port -H and -P.
            o2p_conn = ["-H", str(db["HOST"]), "-P", str(db["PORT"]), "-U", str(db["USER"])]

            def osm2pgsql() -> None:
                subprocess.run([exe, "--create", "--slim", "--drop", "-d", name, *o2p_conn,
                                "--cache", "200", "--number-processes", "2", str(path)],
                               check=True, env=env, capture_output=True)

            ref = seconds(osm2pgsql, repeat)
            polygons = subprocess.run([psql, *conn, "-d", name, "-Atc",
                                       "SELECT count(*) FROM planet_osm_polygon"], check=True,
                                      env=env, capture_output=True, text=True).stdout.strip()
            print(f"osm2pgsql wrote {polygons} polygons")
        finally:
            subprocess.run([psql, *conn, "-d", str(db["NAME"]), "-qc",
                            f"DROP DATABASE IF EXISTS {name}"], env=env, capture_output=True)
        print(f"osm2pgsql {src.name} (default style, --slim --drop): median "
              f"{statistics.median(ref):.2f} s; import_osm / osm2pgsql = "
              f"{total / statistics.median(ref):.1f}× (import_osm also builds the routable "
              "walking graph, households and candidates)")


def write_csv(path: Path, n: int) -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(103.95, 104.25, n)
    lat = rng.uniform(30.55, 30.80, n)
    types = np.array(["机关", "事业单位", "国有企业", "高校", "非公企业", "社会组织"])[
        rng.integers(0, 6, n)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("单位名称,单位类型,党员数,可结对社区数,地址,联系电话,经度,纬度\n")
        for i in range(n):
            fh.write(f"测试单位{i:06d},{types[i]},{i % 300},{1 + i % 3},成都市测试路{i}号,"
                     f"028{i:08d},{lon[i]:.7f},{lat[i]:.7f}\n")


def bench_csv(n: int, repeat: int) -> None:
    import pandas as pd
    from django.contrib.gis.geos import Point

    from geo.models import CoBuildingUnit
    from importers.prepare import prepare
    from importers.store import import_prepared

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "units.csv"
        write_csv(path, n)

        def ours() -> None:
            prepared = prepare(path, "units")
            result = import_prepared(prepared, "bench")
            assert result.created == n and not result.problems, result

        def bare() -> None:
            frame = pd.read_csv(path, dtype=str)
            names = frame["单位名称"].tolist()
            lons, lats = frame["经度"].astype(float).tolist(), frame["纬度"].astype(float).tolist()
            CoBuildingUnit.objects.bulk_create(
                [CoBuildingUnit(name=n, unit_type="private", location=Point(x, y, srid=4326))
                 for n, x, y in zip(names, lons, lats, strict=True)], batch_size=2000)

        full = seconds(rolled_back(ours), repeat)
        ref = seconds(rolled_back(bare), repeat)
    m, r = statistics.median(full), statistics.median(ref)
    print(f"import_layer units, {n:,}-row CSV: median {m:.2f} s = {n / m:,.0f} rows/s "
          f"(validated, mapped, matched); bare read_csv + bulk_create {r:.2f} s = "
          f"{n / r:,.0f} rows/s; ratio {m / r:.1f}×")


def write_communities(path: Path, n: int) -> None:
    """``n`` square communities in 20-community streets, 10 streets to a district."""
    import json

    side = int(np.ceil(np.sqrt(n)))
    d = 0.004
    feats = []
    for i in range(n):
        x, y = 121.3 + (i % side) * d, 29.7 + (i // side) * d
        ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
        feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                      "properties": {"社区名称": f"第{i}社区", "街道名称": f"第{i // 20}街道",
                                     "县市区": f"第{i // 200}区", "户数": 2000 + i % 1500}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                               ensure_ascii=False), encoding="utf-8")


def bench_parents(n: int, repeat: int) -> None:
    """--create-parents on a Ningbo-sized community file, beside a bare geopandas dissolve."""
    import geopandas as gpd

    from importers.run import ImportRequest, run_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "communities.geojson"
        write_communities(path, n)

        def ours() -> None:
            _p, result = run_import(ImportRequest("communities", path, create_parents=True))
            assert result.created == n and not result.problems, result.problems[:3]

        def bare() -> None:
            frame = gpd.read_file(path)
            frame.dissolve(by=["县市区", "街道名称"])
            frame.dissolve(by="县市区")

        full = seconds(rolled_back(ours), repeat)
        ref = seconds(bare, repeat)
    m, r = statistics.median(full), statistics.median(ref)
    print(f"import_layer communities --create-parents, {n:,} rows ({n // 20} streets, "
          f"{-(-n // 200)} districts): median {m:.2f} s = {n / m:,.0f} rows/s; bare "
          f"read_file + two dissolves {r:.2f} s; ratio {m / r:.1f}×")


def bench_undo(n: int, repeat: int) -> None:
    """Undo of an import as a whole, beside the import that wrote it."""
    from django.db import transaction

    from importers.run import ImportRequest, run_import
    from importers.undo import undo_entries

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "units.csv"
        write_csv(path, n)
        imports, undos = [], []
        for _ in range(repeat):
            with transaction.atomic():
                t = time.perf_counter()
                _p, result = run_import(ImportRequest("units", path, source="bench"))
                imports.append(time.perf_counter() - t)
                t = time.perf_counter()
                counts = undo_entries(result.undo, "bench undo")
                undos.append(time.perf_counter() - t)
                assert counts["deleted"] == n
                transaction.set_rollback(True)
    m, r = statistics.median(undos), statistics.median(imports)
    print(f"undo of a {n:,}-row units import: median {m:.2f} s = {n / m:,.0f} rows/s; the "
          f"import itself {r:.2f} s; ratio {m / r:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 20,000 CSV rows")
    args = parser.parse_args()
    import django

    django.setup()
    repeat = 1 if args.quick else 3
    bench_osm(repeat)
    bench_csv(20_000 if args.quick else 100_000, repeat)
    bench_parents(401 if args.quick else 4_000, repeat)
    bench_undo(5_000 if args.quick else 20_000, repeat)


if __name__ == "__main__":
    main()
