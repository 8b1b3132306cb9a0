"""One import, start to end: the path ``import_layer`` and the import page both take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.signals import announce

from .fields import parse_overrides
from .prepare import Options, Prepared, prepare
from .store import ImportResult, import_prepared

# (phase, rows done, rows in all): phase is "check" while reading, "match" while writing.
Progress = Callable[[str, int, int], None]


@dataclass
class ImportRequest:
    """What to import and how; the command's options and the page's form both fill it."""

    kind: str
    path: Path
    crs: str | None = None
    layer: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # target -> column ("" = none)
    source: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    allow_move: bool = False
    create_parents: bool = False
    scope: str | None = None  # the importing user's scope; None: no check (a shell)

    @classmethod
    def from_options(cls, kind: str, path: Path, opts: dict[str, Any]) -> ImportRequest:
        """From ``import_layer``'s parsed options (``--map`` pairs parsed here)."""
        return cls(kind=kind, path=path, crs=opts.get("crs"), layer=opts.get("layer"),
                   encoding=opts.get("encoding"), header_row=opts.get("header_row"),
                   mapping=parse_overrides(opts.get("map") or []), source=opts.get("source"),
                   dry_run=bool(opts.get("dry_run")),
                   skip_invalid=bool(opts.get("skip_invalid")),
                   allow_move=bool(opts.get("allow_move")),
                   create_parents=bool(opts.get("create_parents")),
                   scope=opts.get("scope_of_actor"))

    def read_options(self) -> Options:
        return Options(crs=self.crs, layer=self.layer, encoding=self.encoding,
                       overrides=self.mapping, header_row=self.header_row)


def run_import(req: ImportRequest, progress: Progress | None = None
               ) -> tuple[Prepared, ImportResult]:
    """Read, check and (unless problems or a dry run) write ``req.path``.

    Raises FileRejected or MappingError when the file as a whole cannot be read; row
    problems come back in the result, and then nothing is written (unless skip_invalid).
    """
    def step(phase: str) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return lambda n: progress(phase, n, total[0])

    total = [0]
    prepared = prepare(req.path, req.kind, req.read_options(), progress=step("check"))
    total[0] = len(prepared.records)
    result = import_prepared(prepared, req.source or req.path.name, dry_run=req.dry_run,
                             skip_invalid=req.skip_invalid, allow_move=req.allow_move,
                             progress=step("match"), scope=req.scope,
                             create_parents_from_columns=req.create_parents)
    if result.written:
        announce()
    return prepared, result
