"""python manage.py reporting_members: in-service members per community against the cap."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.management.actor import actor_from, add_actor
from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.audit import acting_as
from geo.models.scope import ScopeError, check_scope
from geo.services.rules import run_members


class Command(BaseCommand):
    help = "在职党员报到 members per residence community, over-cap flagged with suggestions"

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("--save", action="store_true",
                            help="store each member's residence community")
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        saving = opts["save"]
        user = actor_from(opts, ("geo.change_reportingmember",) if saving else (),
                          (opts["scope"] or "") if saving else None)
        with acting_as(user):
            self._run(opts)

    def _run(self, opts: dict[str, Any]) -> None:
        profile = profile_from(opts)
        try:
            result = run_members(check_scope(opts["scope"]), profile, save=opts["save"])
        except ScopeError as exc:
            raise CommandError(str(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = [[c["name"], c["members"], "超 over" if c["over_cap"] else "",
                 "；".join(f"{s['name']} {s['places']}人 {s['distance_m']:.0f} m"
                          for s in c["suggestions"])]
                for c in result["communities"]]
        self.stdout.write(table(["社区 community", "党员 members", f"上限 {result['cap']}",
                                 "建议分流 suggested"], rows))
        self.stdout.write(f"不在任何社区 outside every community: "
                          f"{result['members_outside_every_community']}; 规则配置 profile: "
                          f"{result['profile']}")
