"""python manage.py nearest LON LAT: the nearest service centers of a point."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.analysis.network import NetworkError
from geo.management.output import add_common, emit_json, profile_from, table
from geo.services.nearest import nearest_centers


class Command(BaseCommand):
    help = "最近的党群服务中心 the k nearest service centers of a point, by walking or straight"

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
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, answer)
            return
        place = answer["place"]
        if place:
            grid = place["grid"]
            workers = "、".join(w.get("name", "") for w in (grid["workers"] if grid else []))
            self.stdout.write(f"所在社区 community: {place['community']['name']} "
                              f"({place['community']['code']})  街道 street: "
                              f"{place['street']['name']}")
            if grid:
                self.stdout.write(f"所在网格 grid: {grid['name']} ({grid['code']})  "
                                  f"网格员 workers: {workers or '—'}")
        for note in answer["notices"]:
            self.stdout.write(self.style.WARNING(note["message"]))
        label = "步行距离 walk (m)" if opts["by"] == "walk" else "直线距离 straight (m)"
        rows = [[c["name"], c["level"], c["distance_m"], c["walk_minutes"], c["floor_area_m2"],
                 c["opening_hours"], c["phone"]] for c in answer["centers"]]
        self.stdout.write(table(["中心 center", "层级 level", label, "分钟 min",
                                 "面积 m²", "开放时间 hours", "电话 phone"], rows))
        self.stdout.write(f"规则配置 profile: {answer['profile']}")
