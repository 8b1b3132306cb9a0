"""Run import_layer/export_layer and count rows, for the import tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from importers.store import MODELS


def run(command: str, *args: Any) -> str:
    """Run a command; return stdout+stderr text (CommandError propagates)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def import_layer(kind: str, path: Path, *args: Any) -> str:
    return run("import_layer", kind, path, "--no-progress", *args)


def counts() -> dict[str, int]:
    return {kind: model._default_manager.count() for kind, model in MODELS.items()}


def rejected(kind: str, path: Path, *args: Any) -> str:
    """Import must fail and write nothing; return the error message."""
    before = counts()
    with pytest.raises(CommandError) as info:
        import_layer(kind, path, *args)
    assert counts() == before, "a failed import wrote rows"
    return str(info.value)


def feature_collection(features: list[tuple[dict[str, Any], dict[str, Any]]],
                       crs: str | None = None) -> str:
    """GeoJSON text from (properties, geometry) pairs."""
    data: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data, ensure_ascii=False)


def square(lon: float, lat: float, d: float = 0.001) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                [lon, lat + d], [lon, lat]]]}
