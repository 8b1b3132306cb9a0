"""python manage.py propose_grids: grids proposed along roads for each community in a scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely.geometry
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.analysis.plan_metrics import plan_metrics
from geo.management.output import emit_json, profile_from, table
from geo.models import Community
from geo.models.scope import ScopeError, check_scope
from geo.services.errors import describe
from geo.services.proposals import inputs, propose_from, save_draft
from geo.services.text import say


class Command(BaseCommand):
    help = ("Propose grids for every community of a scope; the grids are never changed "
            "(--save-as-draft keeps each proposal for /plan/ to open, adjust and save)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, help="a community, street or district code")
        parser.add_argument("--min", type=int, default=None, help="households per grid, at least")
        parser.add_argument("--max", type=int, default=None, help="households per grid, at most")
        parser.add_argument("--target", default="auto",
                            help="households a grid should hold, or auto (the middle)")
        parser.add_argument("--time-limit", type=float, default=1.0,
                            help="seconds per community and grid count tried")
        parser.add_argument("--out", default=None, help="write the grids as GeoJSON here")
        parser.add_argument("--save-as-draft", action="store_true",
                            help="keep each proposal as a draft the editor (/plan/) opens; "
                                 "the grids themselves are never changed")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--profile", default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        profile = profile_from(opts)
        low, high = profile.grid_households
        lo, hi = opts["min"] or low, opts["max"] or high
        if lo > hi:
            raise CommandError(_("上限 %(hi)s 小于下限 %(lo)s") % {"hi": hi, "lo": lo})
        target = None if opts["target"] == "auto" else float(opts["target"])
        try:
            scope = check_scope(opts["scope"])
        except ScopeError as exc:
            raise CommandError(describe(exc)) from exc
        communities = list(Community.objects.filter(code__startswith=scope).order_by("code"))
        if not communities:
            raise CommandError(_("范围 %(scope)s 内没有社区") % {"scope": scope})
        rows: list[list[Any]] = []
        out: list[dict[str, Any]] = []
        features: list[dict[str, Any]] = []
        for c in tqdm(communities, desc=_("建议划分"), unit=_("个社区"), disable=None):
            data = inputs(c)
            result = propose_from(data, lo, hi, target, opts["time_limit"])
            m = plan_metrics(data.community, result.grids, result.households,
                             data.cut_lines, lo, hi, kinds=result.kinds)
            plan = result.proposal
            if opts["save_as_draft"]:
                save_draft(c, result, note=_("propose_grids %(lo)s–%(hi)s 户") % {
                    "lo": lo, "hi": hi})
            out.append({"community_code": c.code, "community": c.name, "units": result.units,
                        "grids": m.grids, "in_range": m.in_range, "max_min": m.max_min,
                        "polsby_popper": m.polsby_popper, "on_edges": m.on_edges,
                        "status": plan.status, "gap": plan.gap, "seconds": plan.seconds,
                        "split_blocks": result.split_blocks,
                        "reasons": [say(r) for r in plan.reasons]})
            rows.append([c.code, c.name, result.units, m.grids, f"{m.in_range:.0%}",
                         f"{m.max_min:.2f}", f"{m.polsby_popper:.2f}", f"{m.on_edges:.0%}",
                         plan.status, f"{plan.seconds:.2f}"])
            features += [{"type": "Feature", "geometry": shapely.geometry.mapping(g),
                          "properties": {"community_code": c.code, "order": i + 1,
                                         "households": round(h, 1)}}
                         for i, (g, h) in enumerate(zip(result.grids, result.households,
                                                        strict=True))]
        if opts["out"]:
            Path(opts["out"]).write_text(json.dumps(
                {"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                encoding="utf-8")
        if opts["format"] == "json":
            emit_json(self, {"range": [lo, hi], "communities": out})
            return
        self.stdout.write(table([_("社区代码"), _("社区"), _("单元"), _("网格"), _("户数合规"),
                                 _("最大/最小"), _("紧凑度"), _("边界在路上"), _("求解"),
                                 _("秒")], rows))
        for item in out:
            for reason in item["reasons"]:
                self.stdout.write(f"{item['community_code']} {reason}")
