"""A file cache of tiles: ``ROOT/{layer}/{z}/{x}/{y}.pbf``, shared by every worker process.

Writes go through a temporary file and ``os.replace`` so a reader never sees half a tile.
Invalidation deletes exactly the cached tiles whose buffered extent meets the changed
bounding box, walking only the directories that exist, so its cost follows the number of
cached tiles and not the number of tiles at zoom 22. A tile generated while an invalidation
of its layer ran is not stored (the ``.invalidated`` stamp is newer than its start), so a
slow render cannot put stale data back.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .tilemath import MAX_ZOOM, tile_range

BBox = tuple[float, float, float, float]


# Suffix of the cache key of 512-pixel tiles (shown one zoom deeper than their z).
HD = "@512"


class TileCache:
    """Cached tile bodies under ``root``; an empty body stands for an empty tile (204)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, layer: str, z: int, x: int, y: int) -> Path:
        return self.root / layer / str(z) / str(x) / f"{y}.pbf"

    def get(self, layer: str, z: int, x: int, y: int) -> bytes | None:
        """The cached body, or None when the tile is not cached."""
        try:
            with open(self.path(layer, z, x, y), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def put(self, layer: str, z: int, x: int, y: int, body: bytes, started: float) -> bool:
        """Store a tile rendered from time ``started`` unless its layer changed since."""
        if self._stamp(layer) >= started:
            return False
        target = self.path(layer, z, x, y)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, target)
        return True

    def invalidate(self, layer: str, boxes: Iterable[BBox]) -> int:
        """Delete the cached tiles of ``layer`` (every size) meeting any of ``boxes``."""
        boxes = list(boxes)
        return sum(self._invalidate(key, boxes) for key in variants(layer)) if boxes else 0

    def _invalidate(self, key: str, boxes: list[BBox]) -> int:
        self._touch(key)
        removed = 0
        base = self.root / key
        for zdir in _subdirs(base):
            z = int(zdir.name)
            if z > MAX_ZOOM:
                continue
            ranges = [tile_range(b, z) for b in boxes]
            for xdir in _subdirs(zdir):
                x = int(xdir.name)
                rows = [(y0, y1) for (x0, y0, x1, y1) in ranges if x0 <= x <= x1]
                if not rows:
                    continue
                for entry in os.scandir(xdir):
                    stem = entry.name.removesuffix(".pbf")
                    if stem.isdigit() and any(y0 <= int(stem) <= y1 for y0, y1 in rows):
                        os.unlink(entry.path)
                        removed += 1
        return removed

    def clear(self, layer: str | None = None) -> None:
        """Drop every cached tile of ``layer`` (every size; of all layers when None)."""
        # Layer directories have names, not numbers: _subdirs (numbered z/x levels) would
        # list none of them, and clearing everything would clear nothing.
        layers = variants(layer) if layer else [p.name for p in _layer_dirs(self.root)]
        for name in layers:
            self._touch(name)
            for zdir in _subdirs(self.root / name):
                shutil.rmtree(zdir, ignore_errors=True)

    def _stamp(self, layer: str) -> float:
        try:
            return (self.root / layer / ".invalidated").stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def _touch(self, layer: str) -> None:
        stamp = self.root / layer / ".invalidated"
        stamp.parent.mkdir(parents=True, exist_ok=True)
        now = time.time()
        stamp.touch()
        os.utime(stamp, (now, now))


def variants(layer: str) -> tuple[str, ...]:
    """The cache keys of a layer: its 256-pixel tiles and its 512-pixel ones."""
    return (layer, f"{layer}{HD}")


def _layer_dirs(root: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(root) if e.is_dir()]
    except FileNotFoundError:
        return []


def _subdirs(path: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(path) if e.is_dir() and e.name.isdigit()]
    except FileNotFoundError:
        return []


def tile_cache() -> TileCache:
    """The shared tile cache (``settings.TILE_CACHE_DIR``)."""
    from django.conf import settings

    return TileCache(settings.TILE_CACHE_DIR)
