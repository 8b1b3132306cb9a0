"""The project's private PostgreSQL/PostGIS cluster under ``var/``.

Used when no ``DATABASE_URL`` is set. The cluster is created with ``initdb`` on
first use, listens on a unix socket in ``var/run`` and on a loopback port, and
keeps its data in ``var/pgdata`` across restarts. As root, the server runs as an
unprivileged system user (``postgres`` if present, else ``nobody``) because
PostgreSQL refuses to run as root.

Command line::

    python -m config.pgcluster start|stop|status|ensure|url
"""

from __future__ import annotations

import errno
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("WANGGE_VAR_DIR", ROOT / "var"))
PGDATA = VAR / "pgdata"
SOCKET_DIR = VAR / "run"
LOG_FILE = VAR / "log" / "postgres.log"
DB_NAME = "wangge"
# The cluster's superuser (initdb's bootstrap role): creates roles, databases, extensions.
DB_USER = "wangge"
# The role the application connects as: owns the database and its tables, nothing more. A
# superuser connection would let one bad SQL string or crafted backup run programs on the
# server (COPY ... TO PROGRAM); this role cannot.
APP_USER = "wangge_app"
# Created by the superuser in template1 and the database, so that the application (and the
# test databases it creates from template1) never needs superuser rights for them.
EXTENSIONS = ("postgis", "pg_trgm")
DEFAULT_PORT = 54329
MIN_FREE_BYTES = 200 * 1024 * 1024


class ClusterError(RuntimeError):
    """The private cluster could not be created, started or stopped; the message says why."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where the private cluster lives and how to reach it."""

    pgdata: Path
    socket_dir: Path
    log_file: Path
    port: int
    bindir: Path

    @property
    def pid_file(self) -> Path:
        return self.pgdata / "postmaster.pid"


def port_from_env() -> int:
    """Return the loopback port of the private cluster (``WANGGE_DB_PORT``)."""
    raw = os.environ.get("WANGGE_DB_PORT", str(DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError as exc:
        raise ClusterError(f"WANGGE_DB_PORT={raw!r} is not a port number") from exc
    if not 1024 <= port <= 65535:
        raise ClusterError(f"WANGGE_DB_PORT={port} must be between 1024 and 65535")
    return port


def find_bindir() -> Path:
    """Locate the PostgreSQL server programs (``initdb``, ``pg_ctl``)."""
    override = os.environ.get("WANGGE_PG_BIN")
    candidates = [Path(override)] if override else []
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    for cand in candidates:
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    raise ClusterError(
        "PostgreSQL server programs not found (looked in /usr/lib/postgresql/*/bin). "
        "Run `make setup`, which installs postgresql-15 and postgis, "
        "or set DATABASE_URL to use an existing server."
    )


def default_config() -> ClusterConfig:
    """Return the configuration taken from the environment."""
    return ClusterConfig(PGDATA, SOCKET_DIR, LOG_FILE, port_from_env(), find_bindir())


def _service_user() -> str | None:
    """Return the user the server runs as when we are root, else ``None`` (ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("WANGGE_PG_USER", ""), "postgres", "nobody"):
        if not name:
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterError("running as root but no unprivileged user (postgres/nobody) exists")


def _run(cmd: list[str], user: str | None, check: bool = True) -> subprocess.CompletedProcess[str]:
    full = ["runuser", "-u", user, "--", *cmd] if user else cmd
    proc = subprocess.run(full, capture_output=True, text=True, cwd="/")
    if check and proc.returncode != 0:
        raise ClusterError(
            f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n"
            f"{(proc.stderr or proc.stdout).strip()}"
        )
    return proc


def _prepare_dirs(cfg: ClusterConfig, user: str | None) -> None:
    for path in (cfg.pgdata.parent, cfg.socket_dir, cfg.log_file.parent):
        path.mkdir(parents=True, exist_ok=True)
    cfg.pgdata.mkdir(mode=0o700, exist_ok=True)
    if user is None:
        return
    ent = pwd.getpwnam(user)
    for path in (cfg.pgdata, cfg.socket_dir, cfg.log_file.parent):
        os.chown(path, ent.pw_uid, ent.pw_gid)
    probe = _run(["test", "-w", str(cfg.socket_dir)], user, check=False)
    if probe.returncode != 0:
        raise ClusterError(
            f"user {user!r} cannot reach {cfg.socket_dir}: a folder above the project is "
            f"closed to other users. Move the project (e.g. under /srv or /opt) or run "
            f"`chmod o+x` on its parent folders."
        )


def _check_disk(cfg: ClusterConfig) -> None:
    cfg.pgdata.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cfg.pgdata.parent).free
    if free < MIN_FREE_BYTES:
        raise ClusterError(
            f"only {free // (1024 * 1024)} MiB free on the disk holding {cfg.pgdata.parent}; "
            f"the database needs at least {MIN_FREE_BYTES // (1024 * 1024)} MiB. Free some space."
        )


def is_initialised(cfg: ClusterConfig) -> bool:
    """True when ``initdb`` has already created the cluster."""
    return (cfg.pgdata / "PG_VERSION").exists()


def initialise(cfg: ClusterConfig) -> None:
    """Create the cluster with ``initdb`` and write its settings."""
    user = _service_user()
    _check_disk(cfg)
    _prepare_dirs(cfg, user)
    _run(
        [
            str(cfg.bindir / "initdb"),
            "-D", str(cfg.pgdata),
            "-U", DB_USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            # C collation sorts fast and predictably; a UTF-8 ctype lets pg_trgm see Chinese
            # characters as letters, so name search works on 小区/社区 names.
            "--locale=C",
            "--lc-ctype=C.UTF-8",
            "--no-instructions",
        ],
        user,
    )
    # Settings live in a file of our own so a later `initdb` upgrade keeps them apart.
    conf = cfg.pgdata / "wangge.conf"
    conf.write_text(
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{cfg.socket_dir}'\n"
        "max_connections = 100\n"
        "shared_buffers = 128MB\n"
        "log_min_messages = warning\n"
    )
    with (cfg.pgdata / "postgresql.conf").open("a") as fh:
        fh.write("\ninclude_if_exists = 'wangge.conf'\n")
    if user:
        ent = pwd.getpwnam(user)
        os.chown(conf, ent.pw_uid, ent.pw_gid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"postgres" in cmdline


def _read_pid(cfg: ClusterConfig) -> int | None:
    try:
        first = cfg.pid_file.read_text().splitlines()[0]
        return int(first.strip())
    except (OSError, IndexError, ValueError):
        return None


def remove_stale_pid(cfg: ClusterConfig) -> bool:
    """Remove ``postmaster.pid`` left by a server that is gone; return whether it did."""
    if not cfg.pid_file.exists():
        return False
    pid = _read_pid(cfg)
    if pid is not None and _pid_alive(pid):
        return False
    cfg.pid_file.unlink(missing_ok=True)
    for lock in cfg.socket_dir.glob(".s.PGSQL.*"):
        lock.unlink(missing_ok=True)
    return True


def is_running(cfg: ClusterConfig) -> bool:
    """True when our server answers on its socket."""
    pid = _read_pid(cfg)
    if pid is None or not _pid_alive(pid):
        return False
    return (cfg.socket_dir / f".s.PGSQL.{cfg.port}").exists()


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _log_tail(cfg: ClusterConfig, lines: int = 15) -> str:
    try:
        return "\n".join(cfg.log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start(cfg: ClusterConfig, quiet: bool = False) -> None:
    """Start the cluster (creating it on first use) and make sure the database exists."""
    if not is_initialised(cfg):
        if not quiet:
            print(f"Creating the private PostGIS cluster in {cfg.pgdata} ...")
        initialise(cfg)
    if is_running(cfg):
        ensure_database(cfg)
        return
    if remove_stale_pid(cfg) and not quiet:
        print("Removed a stale postmaster.pid left by a server that is no longer running.")
    if _port_taken(cfg.port):
        raise ClusterError(
            f"port {cfg.port} on 127.0.0.1 is already in use by another program. "
            f"Stop that program or choose another port, e.g. `WANGGE_DB_PORT={cfg.port + 1} "
            "make db-start` (set it for every later command too)."
        )
    _check_disk(cfg)
    user = _service_user()
    _prepare_dirs(cfg, user)
    proc = _run(
        [
            str(cfg.bindir / "pg_ctl"),
            "-D", str(cfg.pgdata),
            "-l", str(cfg.log_file),
            "-w", "-t", "60",
            "-o", f"-p {cfg.port} -k {cfg.socket_dir}",
            "start",
        ],
        user,
        check=False,
    )
    if proc.returncode != 0:
        hint = ""
        tail = _log_tail(cfg)
        if "No space left" in tail:
            hint = "\nThe disk is full: free some space and run `make db-start` again."
        raise ClusterError(
            f"the private PostGIS cluster did not start (pg_ctl exit {proc.returncode}).{hint}\n"
            f"Last lines of {cfg.log_file}:\n{tail}"
        )
    ensure_database(cfg)
    if not quiet:
        print(f"Private PostGIS running: socket {cfg.socket_dir}, port 127.0.0.1:{cfg.port}")


def ensure_database(cfg: ClusterConfig) -> None:
    """Create the application role, the extensions and the project database when missing."""
    import psycopg

    def dsn(dbname: str) -> str:
        return f"host={cfg.socket_dir} port={cfg.port} user={DB_USER} dbname={dbname}"

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
                _ensure_roles_and_databases(conn)
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise ClusterError(f"cannot connect to the private cluster: {exc}") from exc
            time.sleep(0.3)
    for dbname in ("template1", DB_NAME):
        with psycopg.connect(dsn(dbname), autocommit=True) as conn:
            for ext in EXTENSIONS:
                if conn.execute("SELECT 1 FROM pg_extension WHERE extname = %s",
                                (ext,)).fetchone() is None:
                    conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{ext}"')
            if dbname == DB_NAME:
                _hand_over_objects(conn)


def _ensure_roles_and_databases(conn: Any) -> None:
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_USER,)).fetchone() is None:
        # CREATEDB: the test suite creates its own databases; no superuser, no role creation.
        conn.execute(f'CREATE ROLE "{APP_USER}" LOGIN NOSUPERUSER NOCREATEROLE CREATEDB')
    owners = dict(conn.execute(
        "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY(%s)",
        ([DB_NAME, f"test_{DB_NAME}"],)).fetchall())
    if DB_NAME not in owners:
        conn.execute(f'CREATE DATABASE "{DB_NAME}" OWNER "{APP_USER}"')
    for name, owner in owners.items():
        if owner != APP_USER:  # a cluster made before the application had its own role
            conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{APP_USER}"')


def _hand_over_objects(conn: Any) -> None:
    """Give the application role the tables, sequences and views a superuser still owns."""
    rows = conn.execute(
        """SELECT format('ALTER %%s %%I.%%I OWNER TO %%I',
                         CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                        WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                         n.nspname, c.relname, %s::text)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
             AND pg_get_userbyid(c.relowner) <> %s
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                             AND d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))""",
        (APP_USER, APP_USER)).fetchall()
    for (sql,) in rows:
        conn.execute(sql)


def stop(cfg: ClusterConfig, quiet: bool = False) -> None:
    """Stop the cluster if it runs."""
    if not is_initialised(cfg) or not is_running(cfg):
        remove_stale_pid(cfg) if is_initialised(cfg) else None
        if not quiet:
            print("Private PostGIS is not running.")
        return
    _run(
        [str(cfg.bindir / "pg_ctl"), "-D", str(cfg.pgdata), "-m", "fast", "-w", "stop"],
        _service_user(),
    )
    if not quiet:
        print("Private PostGIS stopped.")


def ensure_running(quiet: bool = True) -> None:
    """Start the private cluster unless ``DATABASE_URL`` points elsewhere."""
    if os.environ.get("DATABASE_URL"):
        return
    start(default_config(), quiet=quiet)


def main(argv: list[str]) -> int:
    """Entry point of ``python -m config.pgcluster``."""
    action = argv[1] if len(argv) > 1 else "status"
    try:
        if os.environ.get("DATABASE_URL") and action in {"start", "ensure"}:
            print("DATABASE_URL is set: using that server, no private cluster is started.")
            return 0
        cfg = default_config()
        if action in {"start", "ensure"}:
            start(cfg, quiet=action == "ensure")
        elif action == "stop":
            stop(cfg)
        elif action == "status":
            state = "running" if is_running(cfg) else "stopped"
            print(f"Private PostGIS {state} ({cfg.pgdata}, port {cfg.port})")
            return 0 if state == "running" else 3
        elif action == "url":
            print(f"postgres://{APP_USER}@/{DB_NAME}?host={cfg.socket_dir}&port={cfg.port}")
        else:
            print(f"unknown action {action!r}; use start, stop, status, ensure or url")
            return 2
    except ClusterError as exc:
        print(f"错误 Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
