"""The project's private Redis under ``var/``: the shared store of rate-limit counters.

Used when no ``REDIS_URL`` is set. It listens only on a unix socket in ``var/run`` (no TCP
port), keeps nothing on disk (counters live for a minute), and never evicts a key: an
attacker who floods it from many addresses cannot push another client's counter out, as
they could with a per-process LRU cache. Started beside the PostGIS cluster by ``make``,
``manage.py`` and the test suite.

Command line::

    python -m config.redisserver start|stop|status|url
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from config.pgcluster import VAR

SOCKET = VAR / "run" / "redis.sock"
PID_FILE = VAR / "run" / "redis.pid"
LOG_FILE = VAR / "log" / "redis.log"
MAX_MEMORY = "256mb"


class RedisError(RuntimeError):
    """The private Redis could not be started; the message says why."""


def url() -> str:
    """The ``REDIS_URL`` of the private server."""
    return f"unix://{SOCKET}"


def _ping(timeout: float = 0.5) -> bool:
    if not SOCKET.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(SOCKET))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def is_running() -> bool:
    """True when the private server answers on its socket."""
    return _ping()


def start(quiet: bool = False) -> None:
    """Start the private server unless it already answers."""
    if is_running():
        return
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RedisError("redis-server not found. Run `make setup` (it installs Debian's "
                         "redis-server), or set REDIS_URL to use an existing server.")
    for path in (SOCKET.parent, LOG_FILE.parent):
        path.mkdir(parents=True, exist_ok=True)
    SOCKET.unlink(missing_ok=True)
    proc = subprocess.run(
        [binary, "--port", "0", "--unixsocket", str(SOCKET), "--unixsocketperm", "700",
         "--daemonize", "yes", "--pidfile", str(PID_FILE), "--logfile", str(LOG_FILE),
         "--dir", str(SOCKET.parent), "--save", "", "--appendonly", "no",
         "--maxmemory", MAX_MEMORY, "--maxmemory-policy", "noeviction"],
        capture_output=True, text=True, cwd="/")
    deadline = time.monotonic() + 10
    while not _ping():
        if time.monotonic() > deadline or proc.returncode != 0:
            tail = LOG_FILE.read_text(errors="replace")[-2000:] if LOG_FILE.exists() else ""
            raise RedisError(f"the private Redis did not start (exit {proc.returncode}): "
                             f"{(proc.stderr or proc.stdout).strip()}\n{tail}")
        time.sleep(0.05)
    if not quiet:
        print(f"Private Redis running: socket {SOCKET}")


def stop(quiet: bool = False) -> None:
    """Stop the private server if it runs."""
    try:
        pid = int(PID_FILE.read_text().strip())
    except (OSError, ValueError):
        pid = 0
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while _ping() and time.monotonic() < deadline:
            time.sleep(0.05)
    PID_FILE.unlink(missing_ok=True)
    if not quiet:
        print("Private Redis stopped.")


def ensure_running(quiet: bool = True) -> None:
    """Start the private server unless ``REDIS_URL`` points elsewhere."""
    if os.environ.get("REDIS_URL"):
        return
    start(quiet=quiet)


def main(argv: list[str]) -> int:
    """Entry point of ``python -m config.redisserver``."""
    action = argv[1] if len(argv) > 1 else "status"
    try:
        if action in {"start", "ensure"}:
            if os.environ.get("REDIS_URL"):
                print("REDIS_URL is set: using that server, no private Redis is started.")
                return 0
            start(quiet=action == "ensure")
        elif action == "stop":
            stop()
        elif action == "status":
            running = is_running()
            print(f"Private Redis {'running' if running else 'stopped'} ({SOCKET})")
            return 0 if running else 3
        elif action == "url":
            print(url())
        else:
            print(f"unknown action {action!r}; use start, stop, status or url")
            return 2
    except RedisError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
