"""python manage.py coverage_report: the staff's coverage report as XLSX, PDF, HTML or JSON."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from geo.analysis.network import NetworkError
from geo.management.output import profile_from, reaches_from
from geo.models.scope import ScopeError
from geo.services.errors import describe
from webmap.reports.gather import GATHER_STEPS, gather
from webmap.reports.jsonout import SCHEMA_NAME, SCHEMA_PATH
from webmap.reports.render import FORMATS, render, render_steps


class Command(BaseCommand):
    help = ("The coverage report of a district, street or community: summary, "
            "per-community table, roll-ups, findings, rectification list, maps and charts")
    # Read-only: skip the system checks (they import every URLconf and view, about a
    # second at start-up); `manage.py check` and the test suite run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", default=None,
                            help="district (6), street (9) or community (12 digit) code; "
                                 "default everything")
        parser.add_argument("--profile", default=None,
                            help="rule profile name or .json path (default national-2022)")
        parser.add_argument("--reach", default=None,
                            help="walking reaches in metres, e.g. 300,500,1000 "
                                 "(default the profile's)")
        parser.add_argument("--format", choices=FORMATS, default=None,
                            help="xlsx, pdf, html or json (default from --output's suffix)")
        parser.add_argument("--language", choices=[code for code, _ in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE,
                            help="the report's language (default %(default)s)")
        parser.add_argument("--output", required=True, type=Path,
                            help="file to write (an existing file is replaced only "
                                 "when the report succeeds)")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts["language"]):
            self._report(opts)

    def _report(self, opts: dict[str, Any]) -> None:
        started = time.monotonic()
        out: Path = opts["output"]
        fmt = opts["format"] or out.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError(_("--format：请指定 %(formats)s 之一，或使用相应扩展名的 --output")
                               % {"formats": "/".join(FORMATS)})
        if not out.parent.is_dir():
            raise CommandError(_("--output：目录 %(folder)s 不存在") % {"folder": out.parent})
        profile = profile_from(opts)
        reaches = reaches_from(opts, profile)
        steps = [*GATHER_STEPS, *render_steps(fmt), "write"]
        quiet = opts["verbosity"] == 0 or not sys.stderr.isatty()
        with tqdm(total=len(steps), desc=_("生成报告"), unit="step",
                  disable=quiet, file=sys.stderr) as bar:
            def progress(label: str) -> None:
                bar.set_postfix_str(label)
                bar.update(1)

            try:
                doc = gather(opts["scope"] or "", profile, reaches, progress)
                data = render(doc, fmt, progress)
            except (ScopeError, NetworkError, ValueError) as exc:
                raise CommandError(describe(exc)) from exc
            progress("write")
            _write_atomically(out, data)
            if fmt == "json":
                _write_atomically(out.parent / SCHEMA_NAME, SCHEMA_PATH.read_bytes())
        scope = doc.meta["scope"]
        self.stdout.write(self.style.SUCCESS(_(
            "报告已生成：%(path)s（%(format)s，%(size)s KiB），范围 %(scope)s，规则 %(profile)s，"
            "%(communities)s 个社区，用时 %(seconds).1f 秒") % {
                "path": out, "format": fmt, "size": f"{len(data) / 1024:,.0f}",
                "scope": f"{scope['name']} ({scope['code']})" if scope["code"] else scope["name"],
                "profile": profile.name, "communities": doc.summary["communities"],
                "seconds": time.monotonic() - started}))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target then rename, so a failed run leaves the old file intact."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
