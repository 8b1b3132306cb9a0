"""Import a sheet of records without geometry: activities, staffing or leaders' links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.actor import actor_from, add_actor
from geo.models.audit import acting_as
from geo.services.access import scope_of
from importers.fields import MappingError
from importers.sheets import SHEETS
from importers.sources import FileRejected


class Command(BaseCommand):
    help = ("Import members' activities (member number, ID number or name plus phone; "
            "activity; date), staffing of a year (community or street code; year; posts, "
            "social workers, funds or party staff), leaders' links to communities or "
            "micro-wishes (community code, category, wish, resident, lon, lat), "
            "communities' needs (community code, kind, need, quantity) or units' resources "
            "(unit number or code, kind, resource, capacity, period) or a ledger of direction "
            "signs (center number or code, lon, lat). Every row is checked "
            "first: any problem and nothing is written")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("kind", choices=sorted(SHEETS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--sheet", help="XLSX sheet name (default: the first)")
        parser.add_argument("--header-row", type=int, help="XLSX header row (1-based)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        importer, perm = SHEETS[opts["kind"]]
        user = actor_from(opts, (perm,), None)
        scope = scope_of(user) if user is not None else ""
        try:
            with acting_as(user):
                result = importer(opts["file"], scope=scope or "", dry_run=opts["dry_run"],
                                  sheet_name=opts["sheet"], header_row=opts["header_row"])
        except (FileRejected, MappingError) as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        for p in result.problems[:50]:
            self.stderr.write(_("第 %(row)s 行 [%(code)s] %(message)s") % {
                "row": p.row, "code": p.code, "message": p.message})
        if result.problems:
            raise CommandError(_("%(n)s 行有问题，未导入任何数据") % {"n": len(result.problems)})
        summary = _("%(rows)s 行：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s，"
                    "重复行 %(repeated)s") % result.as_dict()
        if opts["dry_run"]:
            self.stdout.write(_("检查通过（未写入）：") + summary)
        elif not opts["json"]:
            self.stdout.write(self.style.SUCCESS(_("导入完成：") + summary))
