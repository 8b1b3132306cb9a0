"""``manage.py restore PATH``: replace the database with a backup, all or nothing.

Only archives of this version's schema are accepted: the same tables with the same columns,
and nothing but tables, data, sequences, constraints and indexes (no functions, views,
triggers or unknown extensions, which could run code). The restore runs as the application's
own role, never as a superuser, and leaves nothing behind that the archive does not hold.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from config.management.pgtools import (
    PASSED_OVER,
    archive_columns,
    archive_problems,
    is_rule_object,
    live_columns,
    restore_entries,
    toc_entries,
)
from geo.management.actor import actor_from, add_actor
from geo.models.tables import table
from geo.signals import announce


class Command(BaseCommand):
    help = ("恢复数据库 Replace the database with a backup made by `manage.py backup` "
            "(one transaction: a failed restore leaves the database as it was).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true",
                            help="do not ask for confirmation (the current data is replaced)")
        add_actor(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        actor_from(opts, ("geo.add_community", "geo.delete_community"), "")
        if not path.is_file():
            raise CommandError(f"{path} 不存在 does not exist")
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cur.fetchone()
            if row and row[0]:
                raise CommandError("restore runs as the application's own database role, not "
                                   "a superuser: point DATABASE_URL at the role that owns the "
                                   "database")
            # This version's schema: the tables of its models and migrations. Anything else
            # in the database is not compared (and does not survive the restore).
            ours = set(connection.introspection.django_table_names(include_views=False))
            live = {t: cols for t, cols in live_columns(cur).items()
                    if t in ours | {"django_migrations"}}
        try:
            entries = toc_entries(path)
        except CommandError as exc:
            raise CommandError(f"{path} 不是 pg_dump 备份 is not a backup made by "
                               f"`manage.py backup`: {exc}") from exc
        tables = [e for e in entries if e.kind == "TABLE"]
        if table("Community") not in {e.name for e in tables}:
            raise CommandError(f"{path} holds no wangge tables ({table('Community')} missing): "
                               "refusing to restore it")
        if not live:
            raise CommandError("this database has no tables yet: run `manage.py migrate` "
                               "first, then restore")
        problems = archive_problems(entries, archive_columns(path, tables), live)
        if problems:
            shown = "\n  ".join(problems[:10])
            raise CommandError(
                f"{path} does not match this version's schema or holds more than data; "
                f"nothing was changed ({len(problems)} problems):\n  {shown}")
        if not opts["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("restore replaces every row of the database: add --yes")
            answer = input(f"用 {path} 替换当前全部数据？ Replace ALL current data with {path}? "
                           "[y/N] ")
            if answer.strip().lower() not in {"y", "yes", "是"}:
                raise CommandError("cancelled; nothing changed")
        started = time.monotonic()
        connections.close_all()  # our own session must not hold locks on what is dropped
        # spatial_ref_sys belongs to PostGIS: its rows are the extension's, not ours.
        # The rules' view and function come from this version's code, not from the file.
        restore_entries(path, [e for e in entries if e.kind not in PASSED_OVER
                               and not is_rule_object(e)
                               and not (e.kind == "TABLE DATA" and e.name == "spatial_ref_sys")])
        announce()
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成 Restored {len(tables)} tables from {path} in "
            f"{time.monotonic() - started:.1f} s"))
