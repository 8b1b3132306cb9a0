"""Undo a recorded import as a whole (from ``import_layer`` or the import page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.actor import actor_from, add_actor
from geo.models import ImportBusy, ImportRun
from importers.undo import UndoConflict, undo_run


class Command(BaseCommand):
    help = ("Undo import N: delete the rows it created and restore the rows it "
            "changed; refused, changing nothing, when any of them changed since")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("run", type=int, help="the import's number (import_layer prints it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        run = ImportRun.objects.filter(pk=opts["run"]).first()
        if run is None:
            raise CommandError(_("没有导入 #%(pk)s") % {"pk": opts["run"]})
        # --as: the user may undo imports, and the run's scope lies inside theirs.
        user = actor_from(opts, ("geo.change_importrun",), run.scope)
        try:
            counts = undo_run(run, user)
        except ImportBusy as exc:
            raise CommandError(_("导入 #%(pk)s 的状态是 %(status)s：只有已导入的才能撤销") % {
                "pk": run.pk, "status": exc.status}) from exc
        except UndoConflict as exc:
            raise CommandError(_("未撤销任何数据：") + _("；").join(exc.rows[:20])) from exc
        self.stdout.write(self.style.SUCCESS(_(
            "撤销完成：导入 #%(pk)s（%(file)s）删除 %(deleted)s 行，恢复 %(restored)s 行，"
            "恢复代码 %(recoded)s 行") % {
                "pk": run.pk, "file": run.file_name, "deleted": f"{counts['deleted']:,}",
                "restored": f"{counts['restored']:,}", "recoded": f"{counts['recoded']:,}"}))
