"""The private cluster: created on first use, persists, recovers a stale pid, explains failures."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from config import pgcluster


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[pgcluster.ClusterConfig]:
    # Under var/ (not /tmp/pytest-of-root), so the unprivileged server user can reach it.
    pgcluster.VAR.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="test-cluster-", dir=pgcluster.VAR))
    base.chmod(0o755)
    cfg = pgcluster.ClusterConfig(base / "pgdata", base / "run", base / "log" / "pg.log",
                                  _free_port(), pgcluster.find_bindir())
    try:
        yield cfg
    finally:
        pgcluster.stop(cfg, quiet=True)
        shutil.rmtree(base, ignore_errors=True)


def _query(cfg: pgcluster.ClusterConfig, sql: str) -> object:
    dsn = f"host={cfg.socket_dir} port={cfg.port} user={pgcluster.DB_USER} dbname=wangge"
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql)
        row = cur.fetchone() if cur.description else None
        return row[0] if row else None


def test_it_creates_starts_and_keeps_data(cluster: pgcluster.ClusterConfig) -> None:
    pgcluster.start(cluster, quiet=True)
    assert pgcluster.is_running(cluster)
    _query(cluster, "CREATE TABLE kept (v int)")
    _query(cluster, "INSERT INTO kept VALUES (42)")
    pgcluster.stop(cluster, quiet=True)
    assert not pgcluster.is_running(cluster)
    pgcluster.start(cluster, quiet=True)
    assert _query(cluster, "SELECT v FROM kept") == 42
    # It listens on loopback TCP as well as on the socket.
    with socket.create_connection(("127.0.0.1", cluster.port), timeout=5):
        pass


def test_it_recovers_a_stale_pid_file(cluster: pgcluster.ClusterConfig) -> None:
    pgcluster.start(cluster, quiet=True)
    pid_text = cluster.pid_file.read_text()
    pgcluster.stop(cluster, quiet=True)
    # A crash leaves postmaster.pid behind naming a process that no longer exists.
    dead_pid = 4_000_000
    cluster.pid_file.write_text("\n".join([str(dead_pid), *pid_text.splitlines()[1:]]) + "\n")
    assert not pgcluster.is_running(cluster)
    pgcluster.start(cluster, quiet=True)
    assert pgcluster.is_running(cluster)
    assert _query(cluster, "SELECT 1") == 1


def test_it_says_clearly_when_the_port_is_taken(cluster: pgcluster.ClusterConfig) -> None:
    pgcluster.initialise(cluster)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", cluster.port))
        blocker.listen(1)
        with pytest.raises(pgcluster.ClusterError, match=f"port {cluster.port} .* in use"):
            pgcluster.start(cluster, quiet=True)


def test_it_refuses_a_bad_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGGE_DB_PORT", "80")
    with pytest.raises(pgcluster.ClusterError, match="between 1024 and 65535"):
        pgcluster.port_from_env()
    monkeypatch.setenv("WANGGE_DB_PORT", "abc")
    with pytest.raises(pgcluster.ClusterError, match="not a port number"):
        pgcluster.port_from_env()


def test_it_reports_a_cli_error_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WANGGE_DB_PORT", "1")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert pgcluster.main(["pgcluster", "start"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误 Error:") and "Traceback" not in err
