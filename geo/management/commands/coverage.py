"""python manage.py coverage: households within walking reach of licensed centers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.analysis.coverage import reach_column
from geo.analysis.network import NetworkError
from geo.management.output import add_common, emit_json, profile_from, reaches_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.coverage import run_coverage


class Command(BaseCommand):
    help = "步行覆盖率 household share within each walking reach of a licensed center"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reach", default=None, help="metres, e.g. 300,500,1000")
        parser.add_argument("--level", default="community",
                            choices=["grid", "community", "street", "district"],
                            help="rows of the table output")
        parser.add_argument("--no-areas", action="store_true",
                            help="leave the reach polygons out of the JSON")
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        reaches = reaches_from(opts, profile)
        try:
            scope = check_scope(opts["scope"])
            result = run_coverage(scope, reaches, profile,
                                  polygons=opts["format"] == "json" and not opts["no_areas"])
        except (ScopeError, NetworkError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = []
        for rec in result["levels"][opts["level"]]:
            shares = [None if rec[reach_column(r)] is None else
                      f"{100 * rec[reach_column(r)]:.1f}%" for r in reaches]
            rows.append([rec["code"], rec["households"], *shares, rec["worst_m"]])
        self.stdout.write(table(["代码 code", "户数 households",
                                 *[f"≤{int(r)} m" for r in reaches], "最远 worst (m)"], rows))
        self.stdout.write(f"未覆盖小区 compounds beyond {int(max(reaches))} m: "
                          f"{len(result['uncovered_compounds'])}")
        for c in result["uncovered_compounds"][:20]:
            self.stdout.write(f"  {c['name']} ({c['community']}) {c['distance_m']} m")
        self.stdout.write(f"规则配置 profile: {result['profile']}; 中心 centers: "
                          f"{result['centers']}; 楼栋 buildings: {result['buildings']}")
