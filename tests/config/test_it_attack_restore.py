"""Crafted backups and a superuser connection (issue 15, hole 7), replayed: each must fail.

A crafted archive's plpgsql function ran ``id`` as the postgres user during
``restore --yes``; an archive missing a column restored "successfully" and gave 500s after;
objects not in the archive survived. Now the app connects as a role that is no superuser,
and restore accepts only archives of this version's schema holding nothing but data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from config import pgcluster
from tests.scratch_db import connect, db_url_of, fingerprint, manage, scratch_database, url

pytestmark = pytest.mark.django_db


def _as_superuser(database_url: str) -> str:
    """The same database reached as the cluster's superuser (what an attacker's dump had)."""
    return database_url.replace(f"//{pgcluster.APP_USER}@", f"//{pgcluster.DB_USER}@")


def test_it_connects_as_a_role_that_is_no_superuser() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False, False)
        cur.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = "
                    "'geo_community'")
        assert cur.fetchone()[0] == connection.settings_dict["USER"]  # it owns its tables


def test_it_refuses_crafted_archives_and_leaves_nothing_behind(demo_db: None,
                                                                tmp_path: Path) -> None:
    source = db_url_of(connection.settings_dict)
    good = tmp_path / "good.dump"
    manage("backup", str(good), database_url=source)
    expected = fingerprint(source)
    settings = connection.settings_dict
    with scratch_database("wangge_crafted_src", settings) as crafted, \
            scratch_database("wangge_restore_target", settings) as target:
        manage("migrate", "--noinput", database_url=target)
        manage("restore", str(good), "--yes", database_url=target)
        assert fingerprint(target) == expected
        # 1. Code in the archive: a function that runs a program, called by a view.
        manage("migrate", "--noinput", database_url=crafted)
        manage("restore", str(good), "--yes", database_url=crafted)
        marker = tmp_path / "pwned"
        with connect(_as_superuser(crafted)) as conn:
            conn.execute(f"""CREATE FUNCTION public.geo_evil() RETURNS int LANGUAGE plpgsql AS $$
                BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {marker}'''; RETURN 1; END $$""")
            conn.execute("CREATE MATERIALIZED VIEW public.geo_evil_view AS SELECT "
                         "public.geo_evil() AS x WITH NO DATA")
        evil = tmp_path / "evil.dump"
        manage("backup", str(evil), database_url=_as_superuser(crafted))
        refused = manage("restore", str(evil), "--yes", database_url=target, check=False)
        assert refused.returncode != 0
        assert "function public.geo_evil" in refused.stderr
        assert "materialized view" in refused.stderr
        assert not marker.exists() and fingerprint(target) == expected
        with connect(target) as conn:
            assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname = "
                                "'geo_evil'").fetchone() == (0,)
        # 2. A table missing a column (an archive of another version, or a doctored one).
        with connect(_as_superuser(crafted)) as conn:
            conn.execute("DROP MATERIALIZED VIEW public.geo_evil_view; "
                         "DROP FUNCTION public.geo_evil()")
            conn.execute("ALTER TABLE geo_community DROP COLUMN population")
        short = tmp_path / "short.dump"
        manage("backup", str(short), database_url=crafted)
        refused = manage("restore", str(short), "--yes", database_url=target, check=False)
        assert refused.returncode != 0
        assert "geo_community" in refused.stderr and "population" in refused.stderr
        assert fingerprint(target) == expected
        # 3. Objects the archive does not hold do not survive a restore.
        with connect(target) as conn:
            conn.execute("CREATE TABLE leftover (id int); CREATE FUNCTION leftover_fn() "
                         "RETURNS int LANGUAGE sql AS 'SELECT 1'")
            conn.execute("CREATE VIEW leftover_view AS SELECT * FROM geo_community")
        manage("restore", str(good), "--yes", database_url=target)
        with connect(target) as conn:
            left = conn.execute("SELECT relname FROM pg_class WHERE relname LIKE 'leftover%' "
                                "UNION ALL SELECT proname FROM pg_proc WHERE proname = "
                                "'leftover_fn'").fetchall()
        assert left == []
        assert fingerprint(target) == expected
        # 4. Restore never runs as a superuser.
        as_root = manage("restore", str(good), "--yes", database_url=_as_superuser(target),
                         check=False)
        assert as_root.returncode != 0 and "而不是超级用户" in as_root.stderr


def test_it_points_the_private_cluster_url_at_the_application_role() -> None:
    assert url("x", Path("/tmp"), 1).startswith(f"postgres://{pgcluster.APP_USER}@")
    assert pgcluster.APP_USER != pgcluster.DB_USER
