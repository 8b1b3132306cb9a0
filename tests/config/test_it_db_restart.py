"""The server keeps answering when its database restarts under it: requests during the
outage fail cleanly (503 JSON, no traceback, no hang), later ones succeed without a restart."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from config import pgcluster
from tests.bench.loadgen import start_gunicorn
from tests.scratch_db import db_url_of, free_port, manage, scratch_cluster, url


def _get(address: str) -> tuple[int, dict[str, object] | None]:
    try:
        with urllib.request.urlopen(address, timeout=20) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body)
        except ValueError:
            return exc.code, None


@pytest.mark.django_db
def test_it_keeps_answering_across_a_database_restart(demo_db: None, tmp_path: Path) -> None:
    dump = tmp_path / "w.dump"
    manage("backup", str(dump), database_url=db_url_of(connection.settings_dict))
    with scratch_cluster() as cfg:
        database = url(pgcluster.DB_NAME, cfg.socket_dir, cfg.port)
        manage("migrate", "--noinput", database_url=database)  # restore needs the schema
        manage("restore", str(dump), "--yes", database_url=database)
        port = free_port()
        server = start_gunicorn(port, "/healthz", DATABASE_URL=database,
                                WANGGE_TILE_CACHE=str(tmp_path / "tiles"),
                                WANGGE_RATE_LIMITS="off")
        base = f"http://127.0.0.1:{port}"
        layer = f"{base}/api/v1/centers/?page_size=5"
        nearest = f"{base}/api/v1/centers/nearest?lon=104.16&lat=30.59"
        try:
            assert _get(layer)[0] == 200 and _get(nearest)[0] == 200
            pgcluster.stop(cfg, quiet=True)
            for address in (layer, nearest, f"{base}/healthz", layer):
                started = time.monotonic()
                status, body = _get(address)
                assert time.monotonic() - started < 15  # refused at once, not hung
                if address.endswith("/healthz"):
                    assert status == 503 and body and body["ok"] is False
                elif address == layer:
                    assert status == 503, status
                    assert body and body["error"]["code"] == "database_unavailable"  # type: ignore[index]
                else:  # nearest may answer from its in-memory network, or refuse cleanly
                    assert status in (200, 503)
            pgcluster.start(cfg, quiet=True)
            answers = [_get(layer)[0] for _ in range(3)] + [_get(nearest)[0] for _ in range(3)]
            assert answers == [200] * 6, answers
            assert server.poll() is None  # the same server processes, never restarted
        finally:
            server.terminate()
            server.wait(timeout=30)
