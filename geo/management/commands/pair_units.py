"""python manage.py pair_units: optimal co-building pairing (结对共建) against greedy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.analysis.network import NetworkError
from geo.analysis.pairing import PairingInfeasible
from geo.management.actor import actor_from, add_actor
from geo.management.output import add_common, emit_json, profile_from, table
from geo.models.audit import acting_as
from geo.models.scope import ScopeError, check_scope
from geo.services.errors import describe
from geo.services.pairing import build_problem, propose, replace_proposals
from geo.services.text import say
from geo.signals import announce


def min_arg(text: str) -> str:
    if text != "auto" and not (text.isdigit() and int(text) >= 0):
        raise ValueError(text)
    return text


class Command(BaseCommand):
    help = "Pair co-building units with communities: nearest and balanced, optimal"

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("--metric", choices=["walk", "straight"], default="walk")
        parser.add_argument("--max-per-community", type=int, default=None,
                            help="cap per community (default from the profile, 5; large "
                                 "communities get the profile's raised caps)")
        parser.add_argument("--min-per-community", type=min_arg, default="auto",
                            help="auto (the most every community can get evenly) or N")
        parser.add_argument("--max-distance", type=float, default=None, help="metres")
        parser.add_argument("--include-candidates", action="store_true",
                            help="also pair units still marked as candidates")
        parser.add_argument("--save", action="store_true",
                            help="store the result as proposed pairings (replacing proposals)")
        add_common(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        saving = opts["save"]
        user = actor_from(opts, ("geo.add_pairing", "geo.delete_pairing") if saving else (),
                          (opts["scope"] or "") if saving else None)
        with acting_as(user):
            self._run(opts)

    def _run(self, opts: dict[str, Any]) -> None:
        profile = profile_from(opts)
        if opts["max_per_community"] is not None and opts["max_per_community"] < 1:
            raise CommandError("--max-per-community must be at least 1")
        try:
            scope = check_scope(opts["scope"])
            inputs = build_problem(scope, opts["metric"], profile, opts["max_per_community"],
                                   opts["min_per_community"], opts["max_distance"],
                                   opts["include_candidates"])
            reasons = inputs.problem.infeasibility()
            if reasons:
                raise PairingInfeasible(reasons)
            optimal, out = propose(inputs, profile)
        except PairingInfeasible as exc:
            raise CommandError(_("没有满足全部规则的结对方案：") + "\n  " +
                               "\n  ".join(say(r) for r in exc.reasons)) from exc
        except (ScopeError, NetworkError, ValueError) as exc:
            raise CommandError(describe(exc)) from exc
        out["scope"] = scope or None
        saved = None
        if opts["save"]:
            saved = replace_proposals(inputs, optimal)
            announce("pairings")
        if opts["format"] == "json":
            emit_json(self, {**out, "saved": saved} if opts["save"] else out)
            return
        rows = [[p["unit"], p["community"], p["distance_m"], _("锁定") if p["locked"] else ""]
                for p in out["pairings"]]
        self.stdout.write(table([_("共建单位"), _("社区"), _("距离 m"), _("状态")], rows))
        rows = [[c["name"], c["households"], c["units"], f"{c['min']}–{c['cap']}"]
                for c in out["per_community"]]
        self.stdout.write(table([_("社区"), _("户数"), _("单位数"), _("范围")], rows))
        s, g = out["summary"], out["greedy"]
        self.stdout.write(table(
            ["", _("结对"), _("总距离 m"), _("平均 m"), _("最远 m"), _("超上限"), _("低于下限")],
            [[_("最优"), s["pairings"], s["total_m"], s["mean_m"], s["max_m"],
              s["communities_over_cap"], s["communities_under_min"]],
             [_("就近贪心"), g["pairings"], g["total_m"], g["mean_m"], g["max_m"],
              g["communities_over_cap"], g["communities_under_min"]]]))
        self.stdout.write(_("求解状态 %(status)s（最小费用流，已证明最优）；规则配置 %(profile)s；"
                            "度量 %(metric)s") % {"status": s["status"], "profile": profile.name,
                                                "metric": opts["metric"]})
        if opts["save"]:
            self.stdout.write(self.style.SUCCESS(_("已保存 %(n)s 条建议结对") % {"n": saved}))
