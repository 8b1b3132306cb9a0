"""Import a layer from GeoJSON, Shapefile, GeoPackage, KML, CSV or XLSX."""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from geo.analysis.cells import inert
from geo.management.actor import actor_from, add_actor
from geo.models import ImportRun
from geo.models.audit import acting_as
from geo.services.access import scope_of
from importers.fields import KINDS, MappingError
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
        out.writerow(["行 row", "字段 field", "错误代码 code", "说明 message"])
        for p in problems:
            out.writerow([p.row if p.row is not None else "", inert(p.field), p.code,
                          inert(p.message)])


class Command(BaseCommand):
    help = ("导入图层（全部成功才写入）。 Import a layer; by default one bad row means nothing "
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
        w(f"文件 File {path.name}: {prepared.source_format}, {prepared.rows:,} rows"
          + (f", encoding {prepared.encoding}" if prepared.encoding else ""))
        w(f"坐标 Coordinates: {prepared.crs_note}")
        w("字段 Fields: " + "; ".join(prepared.mapping.describe())
          + (f"  (unused: {', '.join(prepared.mapping.unused)})"
             if prepared.mapping.unused else ""))
        for note in [*prepared.notes[:20], *result.notes[:20]]:
            w(f"  note: {note}")
        if result.parents is not None:
            w("上级 Parents: " + result.parents.describe())
            for label in (result.parents.districts_created + result.parents.streets_created)[:20]:
                w(f"  new: {label}")
        if result.how_parents:
            w("上级 Parents by " + ", ".join(f"{k} {v:,}" for k, v in result.how_parents.items()))

    def _record(self, opts: dict[str, Any], path: Path, result: ImportResult) -> None:
        """Record the import (who, file hash, counts, undo log) and say how to undo it."""
        run = ImportRun.record_command(
            opts["actor"], opts["scope_of_actor"] or "", opts["kind"], path.name,
            file_sha256(path), path.stat().st_size,
            {"created": result.created, "updated": result.updated,
             "unchanged": result.unchanged, "provisional": result.provisional,
             "problems": len(result.problems)}, result.undo)
        self.stdout.write(f"记录 Recorded as import #{run.pk}; undo it with: "
                          f"manage.py undo_import {run.pk}")

    def _show_problems(self, problems: list[Problem], report: Path | None) -> None:
        """Print the first problems; write them all to ``report`` when asked."""
        for p in problems[:SHOWN]:
            self.stderr.write(p.line())
        if len(problems) > SHOWN:
            self.stderr.write(f"... and {len(problems) - SHOWN:,} more problems")
        if report:
            write_report(report, problems)
            self.stdout.write(f"报告 Report: {len(problems):,} problems written to {report}")

    def _run(self, opts: dict[str, Any]) -> None:
        started = time.monotonic()
        path: Path = opts["path"]
        kind: str = opts["kind"]
        if opts["create_parents"] and kind != "communities":
            raise CommandError("--create-parents applies to communities only")
        try:
            req = ImportRequest.from_options(kind, path, opts)
        except MappingError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        bar = tqdm(desc="校验 Checking", unit="row", file=sys.stderr,
                   disable=opts["no_progress"], leave=False)

        def step(phase: str, n: int, total: int) -> None:
            if phase == "match" and bar.total != total:
                bar.reset(total=total)
                bar.set_description("匹配 Matching")
            bar.update(n - bar.n)

        try:
            prepared, result = run_import(req, progress=step)
        except (FileRejected, MappingError) as exc:
            if opts["report"]:
                write_report(opts["report"], [Problem(None, "", exc.code, exc.message)])
            raise CommandError(f"{path.name}: [{exc.code}] {exc.message} — nothing written"
                               ) from exc
        finally:
            bar.close()
        w = self.stdout.write
        self._describe(path, prepared, result)
        problems = result.problems
        self._show_problems(problems, opts["report"])
        counts = (f"{result.created:,} created, {result.updated:,} updated, "
                  f"{result.unchanged:,} unchanged, {result.provisional:,} provisional codes")
        outside = sum(1 for p in problems if p.code == "out_of_scope")
        if outside:
            raise CommandError(f"{outside:,} rows lie outside the scope of --as "
                               f"{opts['as_user']}: nothing written")
        if problems and not opts["skip_invalid"]:
            raise CommandError(f"{len(problems):,} problems in {path.name}: nothing written "
                               "(fix them, or --skip-invalid to import the good rows)")
        elapsed = time.monotonic() - started
        if opts["dry_run"]:
            w(self.style.WARNING(f"试运行 Dry run, nothing written: would be {counts}"))
        else:
            skipped = f"; {len(problems):,} problems skipped" if problems else ""
            w(self.style.SUCCESS(f"导入完成 Imported {kind}: {counts}{skipped} "
                                 f"in {elapsed:.1f} s"))
            self._record(opts, path, result)
