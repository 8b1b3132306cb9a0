"""A scratch PostGIS cluster or database beside the test database, and manage.py in a child
process pointed at it (for backup/restore and restarting the database under a server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from config import pgcluster

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def url(dbname: str, socket_dir: Path, port: int, user: str = pgcluster.APP_USER) -> str:
    """A DATABASE_URL for a database reached through the cluster's socket.

    The application's own role by default, as the app connects; ``pgcluster.DB_USER`` for
    the cluster's superuser (creating and dropping databases).
    """
    return f"postgres://{user}@/{dbname}?host={socket_dir}&port={port}"


def db_url_of(settings_dict: dict[str, Any]) -> str:
    return url(settings_dict["NAME"], Path(settings_dict["HOST"]), int(settings_dict["PORT"]))


def manage(*args: str, database_url: str, check: bool = True,
           **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600,
                          env={**os.environ, "DATABASE_URL": database_url, **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{proc.stderr}")
    return proc


def bench_database(name: str, rebuild: bool = False) -> tuple[str, bool]:
    """A benchmark database of the private cluster: (its app URL, whether it is new).

    Kept between runs (building one takes minutes); remade empty, with the extensions and
    the migrations, when missing or when ``rebuild`` asks.
    """
    cfg = pgcluster.default_config()
    admin = url("postgres", cfg.socket_dir, cfg.port, pgcluster.DB_USER)
    app = url(name, cfg.socket_dir, cfg.port)
    with connect(admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not rebuild:
        return app, False
    with connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{pgcluster.APP_USER}"')
    with connect(url(name, cfg.socket_dir, cfg.port, pgcluster.DB_USER)) as conn:
        for ext in pgcluster.EXTENSIONS:
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    manage("migrate", "--noinput", "-v", "0", database_url=app)
    return app, True


def connect(database_url: str) -> psycopg.Connection[Any]:
    from config.env import database_from_url

    db = database_from_url(database_url)
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                           dbname=db["NAME"], autocommit=True)


def fingerprint(database_url: str) -> dict[str, Any]:
    """Row count of every table, and an md5 of every geometry column in id order."""
    out: dict[str, Any] = {}
    with connect(database_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        for t in tables:
            out[t] = conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # type: ignore[index]
        for t, col in conn.execute("SELECT f_table_name, f_geometry_column FROM "
                                   "geometry_columns WHERE f_table_schema = 'public'").fetchall():
            if t not in out:  # a view (the own center): its tables are fingerprinted
                continue
            out[f"{t}.{col}"] = conn.execute(
                f'SELECT md5(string_agg(encode(ST_AsEWKB("{col}"), \'hex\'), \',\' '
                f'ORDER BY id)) FROM "{t}"').fetchone()[0]  # type: ignore[index]
    return out


@contextmanager
def scratch_database(name: str, settings_dict: dict[str, Any]) -> Iterator[str]:
    """An empty database ``name`` in the test cluster; dropped afterwards."""
    admin = url("postgres", Path(settings_dict["HOST"]), int(settings_dict["PORT"]),
                pgcluster.DB_USER)
    with connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{pgcluster.APP_USER}"')
    try:
        yield url(name, Path(settings_dict["HOST"]), int(settings_dict["PORT"]))
    finally:
        with connect(admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_cluster() -> Iterator[pgcluster.ClusterConfig]:
    """A second private cluster (own data folder and port) with an empty ``wangge`` database."""
    pgcluster.VAR.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="test-cluster-", dir=pgcluster.VAR))
    base.chmod(0o755)
    cfg = pgcluster.ClusterConfig(base / "pgdata", base / "run", base / "log" / "pg.log",
                                  free_port(), pgcluster.find_bindir())
    try:
        pgcluster.start(cfg, quiet=True)
        yield cfg
    finally:
        pgcluster.stop(cfg, quiet=True)
        shutil.rmtree(base, ignore_errors=True)
