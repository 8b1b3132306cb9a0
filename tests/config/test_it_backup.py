"""backup then restore gives the same rows and geometries; a bad file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.scratch_db import connect, db_url_of, fingerprint, manage, scratch_database


@pytest.mark.django_db
def test_it_restores_exactly_what_it_backed_up(demo_db: None, tmp_path: Path) -> None:
    source = db_url_of(connection.settings_dict)
    dump = tmp_path / "wangge.dump"
    out = manage("backup", str(dump), database_url=source)
    assert "备份完成" in out.stdout and dump.stat().st_size > 10_000
    expected = fingerprint(source)
    assert expected["geo_gridunit"] > 0 and expected["geo_community.geom"]
    with scratch_database("wangge_restore_test", connection.settings_dict) as target:
        manage("migrate", "--noinput", database_url=target)  # a live database to replace
        with connect(target) as conn:
            conn.execute("INSERT INTO auth_user (password, is_superuser, username, first_name, "
                         "last_name, email, is_staff, is_active, date_joined) VALUES "
                         "('x', false, 'someone-else', '', '', '', false, true, now())")
        refused = manage("restore", str(dump), database_url=target, check=False)
        assert refused.returncode != 0 and "--yes" in refused.stderr
        manage("restore", str(dump), "--yes", database_url=target)
        assert fingerprint(target) == expected
        with connect(target) as conn:  # the rules' view and function, recreated from code
            own = conn.execute("SELECT count(*) FROM geo_community_own_center").fetchone()
            status = conn.execute("SELECT wangge_facility_status(500, 1000, 1, 30, 300)"
                                  ).fetchone()
        assert own is not None and own[0] > 0 and status == ("meets",)
        # The job queue's schema, recreated from procrastinate's own: a job can be queued,
        # and its insert trigger wrote the event.
        with connect(target) as conn:
            row = conn.execute(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('reports', 'wangge.report', 0, "
                "NULL, NULL, '{\"job_id\": 1}'::jsonb, NULL)::procrastinate_job_to_defer_v1])"
            ).fetchone()
            events = conn.execute("SELECT count(*) FROM procrastinate_events").fetchone()
        assert row is not None and row[0] and events == (1,)
        # Edits after the backup are undone by a second restore.
        with connect(target) as conn:
            conn.execute("DELETE FROM geo_gridchange; DELETE FROM geo_gridunit "
                         "WHERE id IN (SELECT id FROM geo_gridunit LIMIT 5)")
            conn.execute("UPDATE geo_community SET geom = ST_Multi(ST_Buffer(geom, 0.001))")
        assert fingerprint(target) != expected
        manage("restore", str(dump), "--yes", database_url=target)
        assert fingerprint(target) == expected
        # A file that is not a backup is refused before anything is dropped.
        junk = tmp_path / "junk.dump"
        junk.write_bytes(b"PGDMP" + b"\0" * 100)
        bad = manage("restore", str(junk), "--yes", database_url=target, check=False)
        assert bad.returncode != 0 and "不是 `manage.py backup` 生成的备份" in bad.stderr
        assert fingerprint(target) == expected
