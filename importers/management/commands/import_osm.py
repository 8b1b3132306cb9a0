"""Import an OSM extract (.osm, .osm.bz2, .osm.pbf): network, buildings, compounds, basemap."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.analysis.households import HouseholdModel
from geo.management.actor import actor_from, add_actor
from geo.models.audit import acting_as
from geo.signals import announce
from importers.osm import OsmReadError, read_osm
from importers.osm_store import store_osm

STEPS = 7


class Command(BaseCommand):
    help = ("Import an OSM extract (walking network, buildings, compounds, water and land use, "
            "candidate co-building units); re-running on the same file changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        d = HouseholdModel()
        parser.add_argument("path", type=Path)
        parser.add_argument("--m2-per-household", type=float, default=d.m2_per_household,
                            help=f"gross floor area per household (default {d.m2_per_household})")
        parser.add_argument("--usable-ratio", type=float, default=d.usable_ratio,
                            help=f"dwelling share of floor area (default {d.usable_ratio})")
        parser.add_argument("--default-levels", type=int, default=d.default_levels,
                            help=f"levels of untagged buildings (default {d.default_levels})")
        parser.add_argument("--residential-far", type=float, default=d.residential_far,
                            help="floor-area ratio of residential areas without mapped buildings "
                            f"(default {d.residential_far})")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = actor_from(opts, ("geo.add_walkedge", "geo.change_walkedge", "geo.add_building"), "")
        with acting_as(user):
            self._run(opts)

    def _run(self, opts: dict[str, Any]) -> None:
        started = time.monotonic()
        model = HouseholdModel(opts["m2_per_household"], opts["default_levels"],
                               opts["usable_ratio"], opts["residential_far"])
        if model.m2_per_household <= 0 or not 0 < model.usable_ratio <= 1 \
                or model.default_levels < 1 or model.residential_far <= 0:
            raise CommandError(_("户数参数须为正数，可用面积比例须在 (0, 1] 之间"))
        bar = tqdm(total=STEPS, desc=_("读取"), unit="step", file=sys.stderr,
                   disable=opts["no_progress"])
        try:
            extract = read_osm(opts["path"])
        except OsmReadError as exc:
            bar.close()
            raise CommandError(_("%(error)s——未写入任何数据") % {"error": exc}) from exc
        bar.update(1)

        def step(label: str) -> None:
            bar.set_description(label)
            bar.update(1)

        try:
            result = store_osm(extract, model, step)
            announce()
        finally:
            bar.close()
        for layer, count in result.counts.items():
            self.stdout.write(f"  {layer}: {count}")
        if extract.clipped_ways:
            self.stdout.write(_("  %(n)s 条路越出了数据范围：保留了范围内的部分"
                                "（被切开的面已略去）") % {"n": f"{extract.clipped_ways:,}"})
        self.stdout.write(self.style.SUCCESS(_(
            "OSM 导入完成：%(source)s，用时 %(s).1f 秒"
            "（户数估算：每户 %(m2)s m²，可用比例 %(ratio)s，默认 %(levels)s 层）") % {
                "source": extract.source, "s": time.monotonic() - started,
                "m2": f"{model.m2_per_household:g}", "ratio": f"{model.usable_ratio:g}",
                "levels": model.default_levels}))
