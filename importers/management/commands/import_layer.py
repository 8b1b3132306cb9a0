"""Import a layer from GeoJSON, Shapefile, GeoPackage, KML, CSV or XLSX."""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.analysis.cells import inert
from geo.management.actor import actor_from, add_actor
from geo.models import ImportRun
from geo.models.audit import acting_as
from geo.services.access import scope_of
from importers.fields import KINDS, MappingError, kind_label
from importers.prepare import Prepared, Problem
from importers.run import ImportRequest, run_import
from importers.sources import FileRejected
from importers.store import MODELS, ImportResult

SHOWN = 200  # problems printed on the terminal; the --report file has all


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_report(path: Path, problems: list[Problem]) -> None:
    """Write problems as CSV (UTF-8 with BOM so Excel shows the Chinese)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow([_("行"), _("字段"), _("错误代码"), _("说明")])
        for p in problems:
            out.writerow([p.row if p.row is not None else "", inert(p.field), p.code,
                          inert(p.message)])


class Command(BaseCommand):
    help = ("Import a layer; by default one bad row means nothing "
            "is written. Formats: .geojson .json .shp .zip .gpkg .kml .csv .xlsx")

    def add_arguments(self, parser: CommandParser) -> None:
        add_actor(parser)
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("path", type=Path)
        parser.add_argument("--crs", help="wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:n "
                            "(default: the file's .prj/declared CRS, else wgs84)")
        parser.add_argument("--layer", help="GeoPackage layer or XLSX sheet")
        parser.add_argument("--header-row", type=int, metavar="N",
                            help="XLSX: the header is on row N (default: the first row with "
                                 "two or more filled cells; a title row above it is skipped)")
        parser.add_argument("--encoding", help="text encoding, e.g. utf-8 or gbk "
                            "(default: .cpg, else detected)")
        parser.add_argument("--map", action="append", default=[], metavar="TARGET=COLUMN",
                            help="use COLUMN for TARGET (repeatable), e.g. --map households=户数")
        parser.add_argument("--report", type=Path, help="write every problem to this CSV file")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the good rows; still report the others")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument("--allow-move", action="store_true",
                            help="let rows move existing ones by more than 1 km (a wrong "
                                 "--crs does that; by default such rows are errors)")
        parser.add_argument("--create-parents", action="store_true",
                            help="communities: make the streets and districts the file names "
                                 "(街道名称, 区县名称/县市区 columns) from the communities' "
                                 "polygons, with provisional codes")
        parser.add_argument("--source", help="provenance label stored on rows (default: file name)")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        model = MODELS[opts["kind"]]._meta.model_name
        # Each row's place is checked against the user's scope once parents are resolved.
        user = actor_from(opts, (f"geo.add_{model}", f"geo.change_{model}"), None)
        opts["scope_of_actor"] = scope_of(user) if user is not None else None
        opts["actor"] = user
        with acting_as(user):
            self._run(opts)

    def _describe(self, path: Path, prepared: Prepared, result: ImportResult) -> None:
        """What was read and how: format, coordinates, columns, notes, parents."""
        w = self.stdout.write
        w(_("文件 %(name)s：%(format)s，%(rows)s 行") % {
            "name": path.name, "format": prepared.source_format, "rows": f"{prepared.rows:,}"}
          + (_("，编码 %(encoding)s") % {"encoding": prepared.encoding}
             if prepared.encoding else ""))
        w(_("坐标：%(note)s") % {"note": prepared.crs_note})
        w(_("字段：%(fields)s") % {"fields": "; ".join(prepared.mapping.describe())}
          + (_("（未用的列：%(columns)s）") % {"columns": ", ".join(prepared.mapping.unused)}
             if prepared.mapping.unused else ""))
        for note in [*prepared.notes[:20], *result.notes[:20]]:
            w(_("  说明：%(note)s") % {"note": note})
        if result.parents is not None:
            w(_("上级：%(what)s") % {"what": result.parents.describe()})
            for label in (result.parents.districts_created + result.parents.streets_created)[:20]:
                w(_("  新建：%(name)s") % {"name": label})
        if result.how_parents:
            w(_("上级匹配方式：%(how)s") % {
                "how": ", ".join(f"{k} {v:,}" for k, v in result.how_parents.items())})

    def _record(self, opts: dict[str, Any], path: Path, result: ImportResult) -> None:
        """Record the import (who, file hash, counts, undo log) and say how to undo it."""
        run = ImportRun.record_command(
            opts["actor"], opts["scope_of_actor"] or "", opts["kind"], path.name,
            file_sha256(path), path.stat().st_size,
            {"created": result.created, "updated": result.updated,
             "unchanged": result.unchanged, "provisional": result.provisional,
             "problems": len(result.problems)}, result.undo)
        self.stdout.write(_("已记录为导入 #%(pk)s；撤销请运行：manage.py undo_import %(pk)s")
                          % {"pk": run.pk})

    def _show_problems(self, problems: list[Problem], report: Path | None) -> None:
        """Print the first problems; write them all to ``report`` when asked."""
        for p in problems[:SHOWN]:
            self.stderr.write(p.line())
        if len(problems) > SHOWN:
            self.stderr.write(_("……另有 %(n)s 个问题") % {"n": f"{len(problems) - SHOWN:,}"})
        if report:
            write_report(report, problems)
            self.stdout.write(_("报告：%(n)s 个问题已写入 %(path)s") % {
                "n": f"{len(problems):,}", "path": report})

    def _run(self, opts: dict[str, Any]) -> None:
        started = time.monotonic()
        path: Path = opts["path"]
        kind: str = opts["kind"]
        if opts["create_parents"] and kind != "communities":
            raise CommandError(_("--create-parents 只适用于社区"))
        try:
            req = ImportRequest.from_options(kind, path, opts)
        except MappingError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        bar = tqdm(desc=_("校验"), unit="row", file=sys.stderr,
                   disable=opts["no_progress"], leave=False)

        def step(phase: str, n: int, total: int) -> None:
            if phase == "match" and bar.total != total:
                bar.reset(total=total)
                bar.set_description(_("匹配"))
            bar.update(n - bar.n)

        try:
            prepared, result = run_import(req, progress=step)
        except (FileRejected, MappingError) as exc:
            if opts["report"]:
                write_report(opts["report"], [Problem(None, "", exc.code, exc.message)])
            raise CommandError(_("%(name)s：[%(code)s] %(message)s——未写入任何数据") % {
                "name": path.name, "code": exc.code, "message": exc.message}) from exc
        finally:
            bar.close()
        w = self.stdout.write
        self._describe(path, prepared, result)
        problems = result.problems
        self._show_problems(problems, opts["report"])
        counts = _("新建 %(created)s，更新 %(updated)s，未变 %(unchanged)s，"
                   "临时代码 %(provisional)s") % {
            "created": f"{result.created:,}", "updated": f"{result.updated:,}",
            "unchanged": f"{result.unchanged:,}", "provisional": f"{result.provisional:,}"}
        outside = sum(1 for p in problems if p.code == "out_of_scope")
        if outside:
            raise CommandError(_("%(n)s 行不在 --as %(user)s 的工作范围内：未写入任何数据") % {
                "n": f"{outside:,}", "user": opts["as_user"]})
        if problems and not opts["skip_invalid"]:
            raise CommandError(_("%(name)s 中有 %(n)s 个问题：未写入任何数据（请修正，或用 "
                                 "--skip-invalid 只导入没有问题的行）") % {
                "n": f"{len(problems):,}", "name": path.name})
        elapsed = time.monotonic() - started
        if opts["dry_run"]:
            w(self.style.WARNING(_("试运行，未写入任何数据：将会%(counts)s") % {"counts": counts}))
        else:
            skipped = _("；跳过有问题的行 %(n)s 行") % {"n": f"{len(problems):,}"} \
                if problems else ""
            w(self.style.SUCCESS(_("导入完成（%(kind)s）：%(counts)s%(skipped)s，"
                                   "用时 %(s).1f 秒") % {
                "kind": kind_label(kind), "counts": counts, "skipped": skipped, "s": elapsed}))
            self._record(opts, path, result)
