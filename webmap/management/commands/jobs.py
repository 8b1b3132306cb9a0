"""python manage.py jobs: the background job queue — run a worker, queue a report, list, fetch."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from geo.analysis.rules import available_profiles
from geo.management.actor import actor_from, add_actor
from geo.management.output import profile_from, reaches_from
from geo.models import Job
from webmap.reports.render import FORMATS


class Command(BaseCommand):
    help = ("Background jobs: `work` runs a worker (jobs survive restarts of the web server "
            "and of workers), `report` queues a coverage report, `list` shows jobs, `get` "
            "saves a finished job's file")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        work = sub.add_parser("work", help="run a worker until stopped (Ctrl-C, SIGTERM)")
        work.add_argument("--queue", action="append", dest="queues", default=None,
                          help="only this queue (repeatable); default every queue")
        work.add_argument("--once", action="store_true",
                          help="run what is queued, then stop")
        report = sub.add_parser("report", help="queue a coverage report as a user")
        add_actor(report)
        report.add_argument("--scope", default="", help="district, street or community code")
        report.add_argument("--format", choices=FORMATS, default="xlsx")
        report.add_argument("--profile", choices=available_profiles(), default=None)
        report.add_argument("--reach", default=None, help="walking reaches, e.g. 300,500")
        report.add_argument("--language", choices=[c for c, _n in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE)
        listing = sub.add_parser("list", help="the latest jobs as JSON")
        listing.add_argument("--limit", type=int, default=20)
        get = sub.add_parser("get", help="write a finished job's file")
        get.add_argument("job", type=int)
        get.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _work(self, opts: dict[str, Any]) -> None:
        from procrastinate.contrib.django import app

        from webmap.tasks import retry_stalled_jobs

        stalled = settings.JOBS_STALLED_AFTER_S
        name = f"{socket.gethostname()}:{os.getpid()}"

        async def work() -> None:
            async with app.open_async():
                # A job left running by a worker that died is queued again before this one
                # looks for work (and every 15 s after, by the periodic task).
                again = await retry_stalled_jobs()
                if again:
                    self.stderr.write(_("重新排队 %(n)d 个中断的任务") % {"n": again})
                await app.run_worker_async(
                    queues=opts["queues"], name=name, wait=not opts["once"], concurrency=1,
                    update_heartbeat_interval=max(1.0, stalled / 3),
                    stalled_worker_timeout=stalled, install_signal_handlers=True)

        with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
            asyncio.run(work())

    def _report(self, opts: dict[str, Any]) -> None:
        from webmap.jobs import REPORT_PERMISSION, submit_report

        if not opts.get("as_user"):
            raise CommandError(_("--as：报告任务要记在一个用户名下（其范围决定能看的数据）"))
        user = actor_from(opts, (REPORT_PERMISSION,), opts["scope"])
        profile = profile_from(opts)
        reaches = reaches_from(opts, profile)
        with translation.override(opts["language"]):
            job = submit_report(user, opts["scope"], opts["format"], opts["profile"],
                                reaches, opts["language"])
        self.stdout.write(json.dumps({"job": job.pk, "status": job.status}))

    def _list(self, opts: dict[str, Any]) -> None:
        rows = [{"job": j.pk, "kind": j.kind, "owner": j.owner.username, "scope": j.scope,
                 "status": j.status, "phase": j.phase, "done": j.done, "total": j.total,
                 "attempts": j.attempts, "message": j.message, "file": j.filename,
                 "size": j.size,
                 "created_at": timezone.localtime(j.created_at).isoformat(),
                 "finished_at": timezone.localtime(j.finished_at).isoformat()
                 if j.finished_at else None}
                for j in Job.objects.select_related("owner").defer("result")[:opts["limit"]]]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def _get(self, opts: dict[str, Any]) -> None:
        job = Job.objects.filter(pk=opts["job"]).first()
        if job is None:
            raise CommandError(_("没有任务 %(job)s") % {"job": opts["job"]})
        if job.result is None:
            raise CommandError(_("任务 %(job)s 没有文件（状态：%(status)s）") % {
                "job": job.pk, "status": job.get_status_display()})
        opts["output"].write_bytes(bytes(job.result))
        self.stderr.write(_("已写入 %(path)s") % {"path": opts["output"]})
