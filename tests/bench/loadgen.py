"""Loopback load for the HTTP benchmarks: gunicorn with 2 workers and threaded urllib clients."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from http.client import HTTPResponse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def start_gunicorn(port: int, probe: str, **env: str) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:``port`` with 2 workers, once ``probe`` (a path) answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        # Throughput benches measure the server, not the per-client limits (off unless asked).
        cwd=ROOT, env={**os.environ, "WANGGE_ALLOWED_HOSTS": "127.0.0.1",
                       "WANGGE_RATE_LIMITS": "off", **env})
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=30).read()
            break
        except OSError:
            time.sleep(0.2)
    return server


def run_clients(urls: list[str], seconds: float, clients: int = 4,
                ok: Callable[[HTTPResponse], bool] = lambda r: r.status == 200
                ) -> tuple[list[float], int]:
    """Each client requests ``urls`` in turn for ``seconds``; latencies (ms) and errors."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(urls[i % len(urls)], timeout=30) as r:
                    r.read()
                    good = ok(r)
            except OSError:
                good = False
            with lock:
                if good:
                    lat.append((time.perf_counter() - t) * 1000)
                else:
                    errors[0] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return lat, errors[0]
