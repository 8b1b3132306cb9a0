"""python manage.py facility_ratio: service floor area per 100 households per community."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.errors import describe
from geo.services.rules import run_facility


class Command(BaseCommand):
    help = "Facility floor area per 100 households against the rule profile"

    def add_arguments(self, parser: CommandParser) -> None:
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        try:
            result = run_facility(check_scope(opts["scope"]), profile)
        except ScopeError as exc:
            raise CommandError(describe(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = [[c["name"], c["households"], c["floor_area_m2"], c["m2_per_100_households"],
                 c["required_m2"], c["shortfall_m2"], _("达标") if c["meets"] else _("不达标")]
                for c in result["communities"]]
        self.stdout.write(table([_("社区"), _("户数"), _("面积 m²"), _("每百户 m²"), _("应有 m²"),
                                 _("缺口 m²"), _("结论")], rows))
        met = sum(c["meets"] for c in result["communities"])
        self.stdout.write(_("达标 %(met)s/%(n)s；标准每百户 %(ratio)s m²，最低 %(min)s m²；"
                            "规则配置 %(profile)s") % {
            "met": met, "n": len(result["communities"]),
            "ratio": result["ratio_m2_per_100_households"], "min": result["min_m2"],
            "profile": result["profile"]})
