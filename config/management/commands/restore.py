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
from django.utils import timezone
from django.utils.translation import gettext as _

from config.management.pgtools import (
    PASSED_OVER,
    archive_columns,
    archive_problems,
    is_queue_object,
    is_rule_object,
    live_columns,
    restore_entries,
    toc_entries,
)
from geo.management.actor import actor_from, add_actor
from geo.models import Job, JobStatus
from geo.models.tables import table
from geo.signals import announce


class Command(BaseCommand):
    help = ("Replace the database with a backup made by `manage.py backup` "
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
            raise CommandError(_("%(path)s 不存在") % {"path": path})
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cur.fetchone()
            if row and row[0]:
                raise CommandError(_("恢复须以应用自己的数据库角色运行，而不是超级用户："
                                     "请让 DATABASE_URL 指向拥有该数据库的角色"))
            # This version's schema: the tables of its models and migrations. Anything else
            # in the database is not compared (and does not survive the restore).
            ours = set(connection.introspection.django_table_names(include_views=False))
            live = {t: cols for t, cols in live_columns(cur).items()
                    if t in ours | {"django_migrations"} and not t.startswith("procrastinate_")}
        try:
            entries = toc_entries(path)
        except CommandError as exc:
            raise CommandError(_("%(path)s 不是 `manage.py backup` 生成的备份：%(error)s")
                               % {"path": path, "error": exc}) from exc
        tables = [e for e in entries if e.kind == "TABLE" and not is_queue_object(e)]
        if table("Community") not in {e.name for e in tables}:
            raise CommandError(_("%(path)s 中没有 wangge 的数据表（缺少 %(table)s），不予恢复")
                               % {"path": path, "table": table("Community")})
        if not live:
            raise CommandError(_("数据库中还没有数据表：请先运行 `manage.py migrate`，再恢复"))
        problems = archive_problems(entries, archive_columns(path, tables), live)
        if problems:
            shown = "\n  ".join(problems[:10])
            raise CommandError(
                _("%(path)s 与本版本的数据结构不符，或含有数据以外的对象；未做任何修改"
                  "（%(n)s 处问题）：") % {"path": path, "n": len(problems)} + "\n  " + shown)
        if not opts["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(_("恢复将替换数据库中的全部数据：请加 --yes"))
            answer = input(_("用 %(path)s 替换当前全部数据？[y/N] ") % {"path": path})
            if answer.strip().lower() not in {"y", "yes", "是"}:
                raise CommandError(_("已取消，未做任何修改"))
        started = time.monotonic()
        connections.close_all()  # our own session must not hold locks on what is dropped
        # spatial_ref_sys belongs to PostGIS: its rows are the extension's, not ours.
        # The rules' view and function come from this version's code, not from the file.
        restore_entries(path, [e for e in entries if e.kind not in PASSED_OVER
                               and not is_rule_object(e) and not is_queue_object(e)
                               and not (e.kind == "TABLE DATA" and e.name == "spatial_ref_sys")])
        # Jobs that were waiting or running when the backup was made have no queue entry
        # any more: say so instead of leaving them "queued" for ever.
        Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
            status=JobStatus.FAILED, finished_at=timezone.now(),
            message=_("数据已从备份恢复，此任务未完成，请重新提交"))
        announce()
        self.stdout.write(self.style.SUCCESS(
            _("恢复完成：从 %(path)s 恢复了 %(n)s 张表，用时 %(seconds).1f 秒") % {
                "path": path, "n": len(tables), "seconds": time.monotonic() - started}))
