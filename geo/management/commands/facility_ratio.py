"""python manage.py facility_ratio: service floor area per 100 households per community."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.rules import run_facility


class Command(BaseCommand):
    help = "每百户服务设施面积 facility floor area per 100 households against the profile"

    def add_arguments(self, parser: CommandParser) -> None:
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        try:
            result = run_facility(check_scope(opts["scope"]), profile)
        except ScopeError as exc:
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = [[c["name"], c["households"], c["floor_area_m2"], c["m2_per_100_households"],
                 c["required_m2"], c["shortfall_m2"], "达标" if c["meets"] else "不达标"]
                for c in result["communities"]]
        self.stdout.write(table(["社区 community", "户数", "面积 m²", "每百户 m²", "应有 m²",
                                 "缺口 shortfall m²", "结论"], rows))
        met = sum(c["meets"] for c in result["communities"])
        self.stdout.write(f"达标 meeting: {met}/{len(result['communities'])}; 标准 "
                          f"{result['ratio_m2_per_100_households']} m²/100户, 最低 "
                          f"{result['min_m2']} m²; 规则配置 profile: {result['profile']}")
