"""Run a management command and read its JSON (tests only)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command


def run_json(*args: str) -> Any:
    out = io.StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())
