"""The entry point a Dask worker runs: it imports nothing of Django until Django is set up.

A worker unpickles the task's function by importing its module, before any set-up: a module
that loads models at import would fail there (``AppRegistryNotReady``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

_setup_lock = threading.Lock()


def run_unit(run_id: int, task: str, code: str, profile_name: str | None) -> dict[str, Any]:
    """Set Django up in this process if needed, then run one unit (``region.run_unit``)."""
    from django.apps import apps

    with _setup_lock:
        if not apps.ready:
            import django

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            django.setup()
    from geo.services.region import run_unit as run

    return run(run_id, task, code, profile_name)
