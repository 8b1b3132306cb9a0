"""python manage.py run_region: one task over every city (or district) of a region, fanned
out on Dask (a LocalCluster by default, or a running scheduler), resumable."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.management.output import emit_json, table
from geo.models import RegionRun
from geo.models.scope import ScopeError, check_scope
from geo.services import region
from geo.services.errors import describe


class Command(BaseCommand):
    help = ("Run coverage, checks, facility, members or pairing for every city (or district) "
            "of a scope on a Dask cluster; results go to the database, a stopped run resumes")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", default=None,
                            help="region code prefix, e.g. 51 (a province); default everything")
        parser.add_argument("--task", choices=region.TASKS, default="coverage")
        parser.add_argument("--level", choices=list(region.LEVEL_DIGITS), default="city",
                            help="one task per city (4-digit code) or district (6-digit)")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--scheduler", default=None,
                           help="a running Dask scheduler, e.g. tcp://host:8786 (its workers "
                                "need this project and the same DATABASE_URL)")
        where.add_argument("--serial", action="store_true",
                           help="in this process, one unit after another (no Dask)")
        parser.add_argument("--workers", type=int, default=2,
                            help="processes of the local cluster (default 2)")
        parser.add_argument("--resume", type=int, metavar="RUN",
                            help="finish run RUN: only the units without a result")
        parser.add_argument("--profile", default=None, help="rule profile (default: default)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["workers"] < 1:
            raise CommandError(_("--workers 至少为 1"))
        if opts["resume"]:
            run = RegionRun.objects.filter(pk=opts["resume"]).first()
            if run is None:
                raise CommandError(_("没有编号为 %(n)s 的区域运行") % {"n": opts["resume"]})
        else:
            scope = opts["scope"] or ""
            # A province (2 digits) or city (4) is a region here; else a scope as anywhere.
            if not re.fullmatch(r"[0-9]{2}|[0-9]{4}", scope):
                try:
                    scope = check_scope(scope or None)
                except ScopeError as exc:
                    raise CommandError(describe(exc)) from exc
            if not region.units_of(scope, opts["level"]):
                raise CommandError(_("范围 %(scope)s 内没有区县") % {"scope": scope or "*"})
            run = region.start_run(opts["task"], scope, opts["level"], opts["profile"])
        codes = region.pending(run)
        self.stderr.write(_("区域运行 #%(run)s：%(task)s，范围 %(scope)s，待算 %(n)s 个") % {
            "run": run.pk, "task": run.task, "scope": run.scope or "*", "n": len(codes)})
        done = (region.run_serial(run, codes) if opts["serial"] else
                region.run_dask(run, codes, opts["scheduler"], opts["workers"]))
        with tqdm(total=len(codes), desc=run.task, unit=_("个"),
                  disable=not self.stderr.isatty()) as bar:
            for item in done:
                bar.set_postfix_str(f"{item['code']} {item['seconds']:.1f} s")
                bar.update(1)
        region.finish(run)
        rows = list(run.results.order_by("code").values_list("code", "seconds", "peak_rss_mb",
                                                               "worker"))
        if opts["format"] == "json":
            emit_json(self, {"run": run.pk, "task": run.task, "scope": run.scope,
                             "finished": run.finished_at is not None,
                             "results": [{"code": c, "seconds": s, "peak_rss_mb": m,
                                          "worker": w} for c, s, m, w in rows]})
            return
        self.stdout.write(table([_("代码"), _("用时 (s)"), _("内存峰值 (MB)"), _("执行进程")],
                                [[c, round(s, 2), m, w] for c, s, m, w in rows]))
        self.stdout.write(self.style.SUCCESS(_("完成 %(n)s 个；结果在数据库（区域运行 #%(run)s）")
                                             % {"n": len(rows), "run": run.pk}))
