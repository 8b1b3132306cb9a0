"""Load the demo district: generated, or derived from a real OSM extract."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.management.actor import actor_from, add_actor
from geo.models import District
from geo.models.audit import acting_as
from geo.services.errors import describe
from geo.signals import announce
from importers.demo.generated import generate_city
from importers.demo.store import store_demo

# Central Chengdu from OpenStreetMap (© OpenStreetMap contributors, ODbL 1.0; see the
# data folder's README): the demo a new user sees is a real city.
SHIPPED = Path(__file__).resolve().parents[2] / "demo" / "data" / "chengdu-center.osm.bz2"
SHIPPED_NAME = "成都中心城区（演示）"


class Command(BaseCommand):
    help = ("Load the demo district (generated, or derived from an OSM extract); "
            "a second run replaces it.")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--osm", type=Path,
                           help="derive the demo from this .osm/.osm.bz2/.osm.pbf file "
                                f"(default: the shipped central Chengdu, {SHIPPED.name})")
        which.add_argument("--generated", action="store_true",
                           help="the generated lattice district instead (small, fast: for tests)")
        which.add_argument("--scale", choices=["city", "city-small", "province", "province-small"],
                           help="a synthetic city instead: 2,025 communities, 540,000 "
                                "buildings, 1.2 million walk nodes, written with COPY "
                                "(city-small: 16 communities, for trying it out; province: "
                                "20 cities of 81 communities, for run_region; "
                                "province-small: 3 cities of 16)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when a demo is already loaded (used by make setup)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = actor_from(opts, ("geo.add_community", "geo.delete_community",
                                 "geo.add_gridunit"), "")
        with acting_as(user):
            self._run(opts)

    def _run(self, opts: dict[str, Any]) -> None:
        started = time.monotonic()
        if opts["if_empty"] and District.objects.filter(source__startswith="demo").exists():
            self.stdout.write(_("演示数据已存在，跳过（运行 `manage.py load_demo` 可重新加载）。"))
            return
        if opts["scale"]:
            self._city(opts, started)
            return
        if not opts["generated"]:
            from importers.demo.derived import DerivationError, derive_city
            from importers.osm import OsmReadError, read_osm

            path: Path = opts["osm"] or SHIPPED
            if not path.exists():
                raise CommandError(_("找不到 OSM 文件：%(path)s") % {"path": path})
            self.stdout.write(_("读取 OSM：%(path)s …") % {"path": path})
            try:
                extract = read_osm(path)
                city = derive_city(extract, seed=opts["seed"],
                                   name=SHIPPED_NAME if path == SHIPPED else None)
            except (OsmReadError, DerivationError) as exc:
                raise CommandError(describe(exc)) from exc
        else:
            city = generate_city(seed=opts["seed"])
        steps = 12
        with tqdm(total=steps, desc=_("写入"), unit="table",
                  disable=not self.stdout.isatty()) as bar:
            def progress(label: str, n: int) -> None:
                bar.set_postfix_str(f"{label}: {n}")
                bar.update(1)

            counts = store_demo(city, progress)
        self._done(city.origin, city.source, counts, started)

    def _city(self, opts: dict[str, Any], started: float) -> None:
        from importers.demo.city import CITY, SMALL, generate_city_tables, generate_province
        from importers.demo.city_store import store_city

        self.stdout.write(_("生成合成城市 …"))
        if opts["scale"].startswith("province"):
            tables = (generate_province(seed=opts["seed"]) if opts["scale"] == "province" else
                      generate_province(3, SMALL, seed=opts["seed"]))
        else:
            tables = [generate_city_tables(CITY if opts["scale"] == "city" else SMALL,
                                           seed=opts["seed"])]
        total = sum(sum(t.counts().values()) for t in tables)
        with tqdm(total=total, desc=_("写入"), unit=_("行"), unit_scale=True,
                  disable=not self.stdout.isatty()) as bar:
            written: dict[str, int] = {}

            def progress(label: str, n: int) -> None:
                bar.set_postfix_str(f"{label}: {n}")
                bar.update(n - written.get(label, 0))
                written[label] = n

            counts = store_city(tables, progress)
        self._done("generated", "demo-city", counts, started)

    def _done(self, origin: str, source: str, counts: dict[str, int], started: float) -> None:
        announce()
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(
            _("演示数据已加载（%(origin)s，来源 %(source)s），用时 %(s).1f 秒：%(summary)s") % {
                "origin": origin, "source": source, "s": time.monotonic() - started,
                "summary": summary}))
