"""run_region: a task fanned out on a Dask LocalCluster gives the serial run's results, one
row per city written by the workers; a stopped run resumes with only the missing cities; a
city's own-area coverage equals the coverage over the whole network."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.scratch_db import manage, scratch_database

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def province(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> object:
    """A scratch database holding three small synthetic cities (5150, 5151, 5152)."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        settings_dict = dict(connection.settings_dict)
    with scratch_database("wangge_test_region", settings_dict) as url:
        manage("migrate", "--noinput", "-v", "0", database_url=url)
        manage("load_demo", "--scale", "province-small", database_url=url)
        yield url


def results(url: str, run: int) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT code, payload FROM geo_regionresult WHERE run_id = %s",
                            [run]).fetchall()
    return {code: payload for code, payload in rows}


def run_region(url: str, *args: str) -> Any:
    out = manage("run_region", "--format", "json", *args, database_url=url)
    return json.loads(out.stdout[out.stdout.index("{"):])  # after manage.py's own notice


def test_it_gives_the_serial_results_from_two_workers_and_resumes(province: str) -> None:
    serial = run_region(province, "--scope", "51", "--task", "coverage", "--serial")
    fanned = run_region(province, "--scope", "51", "--task", "coverage", "--workers", "2")
    assert serial["finished"] and fanned["finished"]
    codes = [r["code"] for r in fanned["results"]]
    assert codes == ["5150", "5151", "5152"]
    a, b = results(province, serial["run"]), results(province, fanned["run"])
    assert a == b
    # Each city's report covers that city only, with its households.
    for code, payload in b.items():
        levels = payload["levels"]
        assert {r["code"][:4] for r in levels["community"]} == {code}
        assert payload["buildings"] > 0
    # The workers were other processes than the serial run's.
    workers = {r["worker"] for r in fanned["results"]}
    assert not workers & {r["worker"] for r in serial["results"]}
    # A stopped run: drop one city's result, resume, only that one is computed again.
    with psycopg.connect(province) as conn:
        conn.execute("DELETE FROM geo_regionresult WHERE run_id = %s AND code = '5151'",
                     [fanned["run"]])
        conn.execute("UPDATE geo_regionrun SET finished_at = NULL WHERE id = %s",
                     [fanned["run"]])
        before: dict[str, Any] = dict(conn.execute("SELECT code, finished_at FROM geo_regionresult "
                                   "WHERE run_id = %s", [fanned["run"]]).fetchall())
    resumed = manage("run_region", "--resume", str(fanned["run"]), "--serial",
                     database_url=province)
    assert "1" in resumed.stderr  # "待算 1 个"
    with psycopg.connect(province) as conn:
        after: dict[str, Any] = dict(conn.execute("SELECT code, finished_at FROM geo_regionresult "
                                  "WHERE run_id = %s", [fanned["run"]]).fetchall())
    assert set(after) == {"5150", "5151", "5152"}
    assert after["5150"] == before["5150"] and after["5152"] == before["5152"]
    assert results(province, fanned["run"]) == a


def test_it_measures_a_city_on_its_own_area_as_on_the_whole_network(province: str) -> None:
    whole = manage("coverage", "--scope", "515001", "--format", "json", "--no-areas",
                   database_url=province)
    local = run_region(province, "--scope", "5150", "--task", "coverage", "--serial",
                       "--level", "district")
    mine = results(province, local["run"])["515001"]
    full = json.loads(whole.stdout[whole.stdout.index("{"):])
    # Equal to the rounding (distances agree within a millimetre: snapping breaks ties the
    # same way in both graphs).
    for level, rows in full["levels"].items():
        for ours, theirs in zip(mine["levels"][level], rows, strict=True):
            assert ours.keys() == theirs.keys()
            for key, value in theirs.items():
                if isinstance(value, float):
                    assert ours[key] == pytest.approx(value, abs=0.11), (level, key)
                else:
                    assert ours[key] == value, (level, key)
    assert [c["id"] for c in mine["uncovered_compounds"]] == [
        c["id"] for c in full["uncovered_compounds"]]


def test_it_refuses_what_it_cannot_run(province: str) -> None:
    bad = manage("run_region", "--scope", "52", database_url=province, check=False)
    assert bad.returncode != 0 and "52" in bad.stderr
    bad = manage("run_region", "--resume", "999999", database_url=province, check=False)
    assert bad.returncode != 0 and "999999" in bad.stderr
    bad = manage("run_region", "--scope", "5x", database_url=province, check=False)
    assert bad.returncode != 0
