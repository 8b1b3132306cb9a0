"""python manage.py nearest LON LAT: the nearest service centers of a point."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.analysis.network import NetworkError
from geo.management.output import add_common, emit_json, profile_from, table
from geo.services.errors import describe
from geo.services.nearest import nearest_centers


class Command(BaseCommand):
    help = "The k nearest service centers of a point, by walking or in a straight line"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lon", type=float)
        parser.add_argument("lat", type=float)
        parser.add_argument("--k", type=int, default=3)
        parser.add_argument("--crs", default="wgs84", choices=["wgs84", "cgcs2000", "gcj02",
                                                                 "bd09"])
        parser.add_argument("--by", default="walk", choices=["walk", "straight"])
        add_common(parser, scope=False)

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 1 <= opts["k"] <= 20:
            raise CommandError("--k must be between 1 and 20")
        if not (-180 <= opts["lon"] <= 180 and -90 <= opts["lat"] <= 90):
            raise CommandError("LON must be in -180..180 and LAT in -90..90 (degrees)")
        profile = profile_from(opts)
        try:
            answer = nearest_centers(opts["lon"], opts["lat"], opts["k"], opts["by"],
                                     opts["crs"], profile)
        except NetworkError as exc:
            raise CommandError(describe(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, answer)
            return
        place = answer["place"]
        if place:
            grid = place["grid"]
            workers = "、".join(w.get("name", "") for w in (grid["workers"] if grid else []))
            self.stdout.write(_("所在社区：%(community)s（%(code)s）  街道：%(street)s") % {
                "community": place["community"]["name"], "code": place["community"]["code"],
                "street": place["street"]["name"]})
            if grid:
                self.stdout.write(_("所在网格：%(grid)s（%(code)s）  网格员：%(workers)s") % {
                    "grid": grid["name"], "code": grid["code"], "workers": workers or "—"})
        for note in answer["notices"]:
            self.stdout.write(self.style.WARNING(note["message"]))
        label = _("步行距离 (m)") if opts["by"] == "walk" else _("直线距离 (m)")
        rows = [[c["name"], c["level"], c["distance_m"], c["walk_minutes"], c["floor_area_m2"],
                 c["opening_hours"], c["phone"]] for c in answer["centers"]]
        self.stdout.write(table([_("中心"), _("层级"), label, _("分钟"), _("面积 m²"),
                                 _("开放时间"), _("电话")], rows))
        self.stdout.write(_("规则配置 %(profile)s") % {"profile": answer["profile"]})
