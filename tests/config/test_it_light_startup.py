"""Starting Django (every command, every web process) imports nothing heavy: the analysis
stack (pandas, geopandas, scipy, matplotlib, OR-Tools, WeasyPrint) loads only where used.
A job-queue module that imported the report at start-up once added 4 s to every command."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.scratch_db import ROOT

HEAVY = ("pandas", "geopandas", "scipy", "matplotlib", "ortools", "weasyprint", "openpyxl",
         "shapely", "folium", "distributed")


def test_it_starts_django_without_the_analysis_stack() -> None:
    code = ("import json, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); import django; django.setup(); "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
