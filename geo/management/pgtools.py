"""pg_dump/pg_restore against the project's database (the private cluster or DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from config import pgcluster


def tool(name: str) -> str:
    """The PostgreSQL client program ``name``: the cluster's own version first, then PATH."""
    try:
        path = pgcluster.find_bindir() / name
        if path.exists():
            return str(path)
    except Exception:
        pass
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} not found: install postgresql-client (apt-get install "
                           "postgresql-client-15)")
    return found


def connection_args() -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for the default database (password via PGPASSWORD)."""
    db: dict[str, Any] = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for key, value in (db.get("OPTIONS") or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return args, env


def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool; its own error message becomes the command's."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise CommandError(f"{Path(cmd[0]).name} failed (exit {proc.returncode}):\n{tail}")
    return proc


def archive_tables(path: Path) -> list[str]:
    """The tables whose data a pg_dump custom archive holds (raises if it is not one)."""
    _, env = connection_args()
    listing = run([tool("pg_restore"), "--list", str(path)], env).stdout
    return [line.split()[-2] for line in listing.splitlines()
            if " TABLE DATA " in line and not line.startswith(";")]
