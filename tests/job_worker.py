"""A real job worker process (``manage.py jobs work``) on the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from tests.scratch_db import ROOT, db_url_of


@contextmanager
def worker(stalled_after_s: int = 2) -> Iterator[subprocess.Popen[str]]:
    """``manage.py jobs work`` on the test database; killed at the end if still running."""
    env = {**os.environ, "DATABASE_URL": db_url_of(connection.settings_dict),
           "WANGGE_JOBS_STALLED_AFTER_S": str(stalled_after_s)}
    # Its output goes to a file: an unread pipe would block a chatty worker.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "manage.py", "jobs", "work"], cwd=ROOT,
                                env=env, text=True, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
