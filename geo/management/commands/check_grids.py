"""python manage.py check_grids: grids inside, no overlap, no gap, households, codes."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.errors import describe
from geo.services.rules import run_grid_checks


class Command(BaseCommand):
    help = "Check every grid rule; exit status 1 when anything fails"

    def add_arguments(self, parser: CommandParser) -> None:
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        try:
            result = run_grid_checks(check_scope(opts["scope"]), profile)
        except ScopeError as exc:
            raise CommandError(describe(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
        else:
            rows = [[f["community_code"], f["kind"], f["message"]] for f in result["findings"]]
            if rows:
                self.stdout.write(table([_("社区"), _("类型"), _("说明")], rows))
            summary = _("社区 %(communities)s 个，网格 %(grids)s 个；问题 %(n)s 项 %(counts)s；"
                        "规则配置 %(profile)s") % {
                "communities": result["communities"], "grids": result["grids"],
                "n": len(result["findings"]), "counts": result["counts"],
                "profile": result["profile"]}
            self.stdout.write(self.style.SUCCESS(summary) if result["ok"]
                              else self.style.ERROR(summary))
        if not result["ok"]:
            sys.stdout.flush()
            sys.exit(1)
