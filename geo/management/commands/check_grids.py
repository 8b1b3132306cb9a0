"""python manage.py check_grids: grids inside, no overlap, no gap, households, codes."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.scope import ScopeError, check_scope
from geo.services.rules import run_grid_checks


class Command(BaseCommand):
    help = "网格检查 check every grid rule; exit status 1 when anything fails"

    def add_arguments(self, parser: CommandParser) -> None:
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        try:
            result = run_grid_checks(check_scope(opts["scope"]), profile)
        except ScopeError as exc:
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
        else:
            rows = [[f["community_code"], f["kind"], f["message"]] for f in result["findings"]]
            if rows:
                self.stdout.write(table(["社区 community", "类型 kind", "说明 finding"], rows))
            summary = (f"社区 {result['communities']} 个，网格 {result['grids']} 个；问题 "
                       f"{len(result['findings'])} 项 {result['counts']}；规则配置 profile: "
                       f"{result['profile']}")
            self.stdout.write(self.style.SUCCESS(summary) if result["ok"]
                              else self.style.ERROR(summary))
        if not result["ok"]:
            sys.stdout.flush()
            sys.exit(1)
