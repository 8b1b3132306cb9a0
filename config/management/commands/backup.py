"""``manage.py backup PATH``: the whole database as one pg_dump custom archive."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from config.management.pgtools import archive_tables, connection_args, run, tool


class Command(BaseCommand):
    help = "Back up the whole database to PATH (pg_dump custom format)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.parent.is_dir():
            raise CommandError(_("目录 %(folder)s 不存在") % {"folder": path.parent})
        started = time.monotonic()
        conn_args, env = connection_args()
        # Written beside the target and renamed: a failed dump never replaces a good backup.
        fd, tmp = tempfile.mkstemp(prefix=".backup-", dir=path.parent)
        os.close(fd)
        try:
            run([tool("pg_dump"), *conn_args, "--format", "custom", "--no-owner",
                 "--file", tmp], env)
            tables = archive_tables(Path(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(
            _("备份完成：%(n)s 张表已写入 %(path)s（%(size).1f MiB），用时 %(seconds).1f 秒") % {
                "n": len(tables), "path": path, "size": size / 1024**2,
                "seconds": time.monotonic() - started}))
