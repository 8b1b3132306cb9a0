"""Start-up of the management commands, against bare Python and a bare GeoDjango.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_startup.py [--runs 5]``).
Each figure is the median wall time of fresh processes (nothing cached in the process):

- ``python -c pass`` — the interpreter alone;
- **bare GeoDjango**: ``django.setup()`` with only Django's own apps, GeoDjango and the
  PostGIS backend (the floor any command of a GeoDjango project pays);
- **our set-up**: ``django.setup()`` with this project's settings (DRF, history, our apps);
- each command's ``--help`` (set-up plus the command module's imports; no database work).

What a command imports only when it runs (OR-Tools for the solvers, osmnx for reading
OSM, geopandas for reports) is not counted here: that is the work, not the start-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
COMMANDS = ["check_grids", "coverage", "coverage_report", "facility_ratio", "nearest",
            "pair_units", "propose_grids", "reporting_members", "import_osm", "import_layer",
            "export_layer", "load_demo", "undo_import", "backup", "restore", "account"]

BARE_SETTINGS = """
SECRET_KEY = "bench-only"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.gis"]
DATABASES = {"default": {"ENGINE": "django.contrib.gis.db.backends.postgis",
                         "NAME": "none"}}
USE_TZ = True
"""


def timed(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median seconds of ``runs`` fresh processes running ``argv``."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    setup = "import django; django.setup()"
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bare_settings.py").write_text(BARE_SETTINGS, encoding="utf-8")
        bare_env = {**os.environ, "PYTHONPATH": tmp, "DJANGO_SETTINGS_MODULE": "bare_settings"}
        python = timed([py, "-c", "pass"], args.runs)
        bare = timed([py, "-c", setup], args.runs, bare_env)
    ours_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    ours = timed([py, "-c", setup], args.runs, ours_env)
    print(f"fresh processes, median of {args.runs}")
    print(f"{'what':<28} {'s':>6} {'× bare GeoDjango':>17}")
    print(f"{'python -c pass':<28} {python:>6.2f} {python / bare:>17.2f}")
    print(f"{'bare GeoDjango setup':<28} {bare:>6.2f} {1:>17.2f}")
    print(f"{'our setup':<28} {ours:>6.2f} {ours / bare:>17.2f}")
    for name in COMMANDS:
        took = timed([py, "manage.py", name, "--help"], args.runs)
        print(f"{name + ' --help':<28} {took:>6.2f} {took / bare:>17.2f}")


if __name__ == "__main__":
    main()
