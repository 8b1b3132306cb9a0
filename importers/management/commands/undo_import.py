"""Undo a recorded import as a whole (from ``import_layer`` or the import page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.management.actor import actor_from, add_actor
from geo.models import ImportBusy, ImportRun
from importers.undo import UndoConflict, undo_run


class Command(BaseCommand):
    help = ("撤销一次导入。 Undo import N: delete the rows it created and restore the rows it "
            "changed; refused, changing nothing, when any of them changed since")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("run", type=int, help="the import's number (import_layer prints it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        run = ImportRun.objects.filter(pk=opts["run"]).first()
        if run is None:
            raise CommandError(f"no import #{opts['run']}")
        # --as: the user may undo imports, and the run's scope lies inside theirs.
        user = actor_from(opts, ("geo.change_importrun",), run.scope)
        try:
            counts = undo_run(run, user)
        except ImportBusy as exc:
            raise CommandError(f"import #{run.pk} is {exc.status}: only an imported run can "
                               "be undone") from exc
        except UndoConflict as exc:
            raise CommandError("nothing undone: " + "; ".join(exc.rows[:20])) from exc
        self.stdout.write(self.style.SUCCESS(
            f"撤销完成 Undone import #{run.pk} ({run.file_name}): {counts['deleted']:,} rows "
            f"deleted, {counts['restored']:,} restored, {counts['recoded']:,} re-coded"))
