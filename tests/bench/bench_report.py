"""Coverage-report benchmark: the demo district's report in every format.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_report.py [--quick]``) on a
database holding the demo. Prints medians in process (gathering the figures, drawing the
images, rendering each format) and the wall time of the whole ``manage.py coverage_report``
command per format, beside ``manage.py help coverage_report`` (start-up alone) in the
same run. The issue's aim: every format of the district report in under 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
PY = str(ROOT / ".venv" / "bin" / "python")
T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def in_process(scope: str, repeat: int) -> None:
    import django

    django.setup()
    from geo.analysis.rules import load_profile
    from geo.services.coverage import run_coverage
    from geo.services.rules import run_facility
    from webmap.reports import figures
    from webmap.reports.gather import gather
    from webmap.reports.render import FORMATS, IMAGES, render

    profile = load_profile(None)
    reaches = list(profile.walk_reach_m)
    gather(scope, profile, reaches)  # warm: the walking network and center field load once
    t_fac, _ = timed(lambda: run_facility(scope, profile), repeat)
    t_cov, _ = timed(lambda: run_coverage(scope, reaches, profile, polygons=True), repeat)
    t_gather, doc = timed(lambda: gather(scope, profile, reaches), repeat)
    print(f"in process, median of {repeat}:")
    print(f"  gather (all figures)      {t_gather * 1000:8.0f} ms   reference: run_facility "
          f"{t_fac * 1000:.0f} ms, run_coverage with reach areas {t_cov * 1000:.0f} ms "
          f"(ratio gather/coverage {t_gather / t_cov:.2f})")
    for name, draw in figures.FIGURES.items():
        t, _ = timed(lambda draw=draw: draw(doc), repeat)  # type: ignore[misc]
        print(f"  draw {name:<20} {t * 1000:8.0f} ms")
    for fmt in FORMATS:
        for name in IMAGES[fmt]:
            doc.images.setdefault(name, figures.FIGURES[name](doc))
        t, data = timed(lambda fmt=fmt: render(doc, fmt), repeat)  # type: ignore[misc]
        print(f"  render {fmt:<5} (images ready) {t * 1000:8.0f} ms  "
              f"{len(data) / 1024:8.0f} KiB")


def command_runs(scope: str, repeat: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    check = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([PY, "manage.py", "help", "coverage_report"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        check.append(time.perf_counter() - t)
    ref = statistics.median(check)
    print(f"whole command (new process each run), median of {repeat}; reference: "
          f"`manage.py help coverage_report` (Django set-up and the command's imports) "
          f"{ref:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("xlsx", "pdf", "html", "json"):
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                subprocess.run([PY, "manage.py", "coverage_report", "--scope", scope,
                                "--output", str(Path(tmp) / f"r.{fmt}")], cwd=ROOT, env=env,
                               check=True, capture_output=True)
                times.append(time.perf_counter() - t)
            med = statistics.median(times)
            aim = "met" if med < 10 else "NOT met"
            print(f"  coverage_report --format {fmt:<5} {med:6.2f} s  (start-up {ref:.2f} s, "
                  f"report {med - ref:.2f} s; aim < 10 s: {aim})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1 run each instead of 3/5")
    parser.add_argument("--scope", default="510199", help="the demo district by default")
    args = parser.parse_args()
    in_process(args.scope, 1 if args.quick else 5)
    command_runs(args.scope, 1 if args.quick else 3)


if __name__ == "__main__":
    main()
