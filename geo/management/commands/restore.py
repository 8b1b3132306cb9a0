"""``manage.py restore PATH``: replace the database with a backup, all or nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from geo.management.actor import actor_from, add_actor
from geo.management.pgtools import archive_tables, connection_args, run, tool
from tiles.signals import clear_layers


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
        try:
            tables = archive_tables(path)
        except CommandError as exc:
            raise CommandError(f"{path} 不是 pg_dump 备份 is not a backup made by "
                               f"`manage.py backup`: {exc}") from exc
        if "geo_community" not in tables:
            raise CommandError(f"{path} holds no wangge tables (geo_community missing): "
                               "refusing to restore it")
        if not opts["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("restore replaces every row of the database: add --yes")
            answer = input(f"用 {path} 替换当前全部数据？ Replace ALL current data with {path}? "
                           "[y/N] ")
            if answer.strip().lower() not in {"y", "yes", "是"}:
                raise CommandError("cancelled; nothing changed")
        started = time.monotonic()
        conn_args, env = connection_args()
        connections.close_all()  # our own session must not hold locks on what is dropped
        run([tool("pg_restore"), *conn_args, "--clean", "--if-exists", "--no-owner",
             "--single-transaction", "--exit-on-error", str(path)], env)
        clear_layers()
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成 Restored {len(tables)} tables from {path} in "
            f"{time.monotonic() - started:.1f} s"))
