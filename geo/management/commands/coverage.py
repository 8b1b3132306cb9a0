"""python manage.py coverage: households within walking reach of licensed centers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.analysis.coverage import reach_column
from geo.analysis.network import NetworkError
from geo.management.output import add_common, emit_json, profile_from, reaches_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.coverage import run_coverage
from geo.services.errors import describe


class Command(BaseCommand):
    help = "Household share within each walking reach of a licensed center"

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
            raise CommandError(describe(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = []
        for rec in result["levels"][opts["level"]]:
            shares = [None if rec[reach_column(r)] is None else
                      f"{100 * rec[reach_column(r)]:.1f}%" for r in reaches]
            rows.append([rec["code"], rec["households"], *shares, rec["worst_m"]])
        self.stdout.write(table([_("代码"), _("户数"), *[f"≤{int(r)} m" for r in reaches],
                                 _("最远 (m)")], rows))
        self.stdout.write(_("%(m)s 米外的小区：%(n)s 个") % {
            "m": int(max(reaches)), "n": len(result["uncovered_compounds"])})
        for c in result["uncovered_compounds"][:20]:
            self.stdout.write(f"  {c['name']} ({c['community']}) {c['distance_m']} m")
        self.stdout.write(_("规则配置 %(profile)s；中心 %(centers)s 个；楼栋 %(buildings)s 栋") % {
            "profile": result["profile"], "centers": result["centers"],
            "buildings": result["buildings"]})
