"""python manage.py reporting_members: in-service members per community against the cap."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.actor import actor_from, add_actor
from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.audit import acting_as
from geo.models.scope import ScopeError, check_scope
from geo.services.errors import describe
from geo.services.rules import run_members


class Command(BaseCommand):
    help = "Reporting party members per community, over-cap flagged with suggestions"

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
            raise CommandError(describe(exc)) from exc
        if opts["format"] == "json":
            emit_json(self, result)
            return
        rows = [[c["name"], c["members"], _("超出") if c["over_cap"] else "",
                 _("；").join(_("%(name)s %(places)s 人 %(m).0f m") % {
                     "name": s["name"], "places": s["places"], "m": s["distance_m"]}
                     for s in c["suggestions"])]
                for c in result["communities"]]
        self.stdout.write(table([_("社区"), _("党员"), _("上限 %(cap)s") % {"cap": result["cap"]},
                                 _("建议分流")], rows))
        self.stdout.write(_("不在任何社区：%(n)s；规则配置 %(profile)s") % {
            "n": result["members_outside_every_community"], "profile": result["profile"]})
