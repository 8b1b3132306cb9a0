"""Shared output of the analysis commands: ``--format table|json``, ``--scope``, ``--profile``."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.analysis.rules import ProfileError, RuleProfile, load_profile
from geo.services.errors import describe


def add_common(parser: CommandParser, scope: bool = True) -> None:
    parser.add_argument("--format", choices=["table", "json"], default="table",
                        help="table for people, json (one document on stdout) for programs")
    parser.add_argument("--profile", default=None,
                        help="rule profile name or .json path (default national-2022)")
    if scope:
        parser.add_argument("--scope", default=None,
                            help="district/street/community code to limit the analysis to")


def profile_from(options: dict[str, Any]) -> RuleProfile:
    try:
        return load_profile(options.get("profile"))
    except ProfileError as exc:
        raise CommandError(describe(exc)) from exc


def reaches_from(options: dict[str, Any], profile: RuleProfile) -> list[float]:
    """``--reach`` in metres, or the profile's reaches when it is not given."""
    from geo.analysis.coverage import parse_reaches  # pandas and scipy: only when asked

    try:
        return parse_reaches(options["reach"]) if options.get("reach") else \
            list(profile.walk_reach_m)
    except ValueError as exc:
        raise CommandError(f"--reach: {describe(exc)}") from exc


def emit_json(cmd: BaseCommand, data: Any) -> None:
    cmd.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max([width(h), *(width(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(vals: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(vals, widths, strict=True))

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, bool):
        return _("是") if v else _("否")
    return str(v)
