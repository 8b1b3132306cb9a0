"""A community file is enough to start (issue 16, item 8), and no update leaves its parent.

Ningbo's 401 communities came with 街道名称 and 县市区 but no codes and no street or
district layer. ``--create-parents`` makes them: streets and districts dissolved from the
communities, provisional codes (districts 99xxxx, counting down), same-named streets of
two districts kept apart, and a community listed in two parts is one MultiPolygon.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from django.contrib.auth.models import User

from geo.models import Account, Community, District, Street
from geo.roles import Role
from tests.import_helpers import counts, feature_collection, import_layer, rejected, square

pytestmark = pytest.mark.django_db

# Far from the demo district (Chengdu), in Ningbo.
X0, Y0 = 121.540, 29.870
D = 0.004  # ~390 m by ~440 m squares


def _row(name: str, street: str, district: str, dx: float, dy: float,
         **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return ({"社区名称": name, "街道名称": street, "县市区": district, **extra},
            square(X0 + dx * D, Y0 + dy * D, D))


ROWS = [
    _row("孝闻社区", "西门街道", "海曙区", 0, 0),
    _row("养志社区", "西门街道", "海曙区", 1, 0),
    # The second part of 养志社区: one square further east, a gap of one square (~385 m).
    _row("养志社区", "西门街道", "海曙区", 3, 0),
    # A 西门街道 in another district is another street.
    _row("明楼社区", "西门街道", "鄞州区", 0, -3),
    _row("东柳社区", "东柳街道", "鄞州区", 1, -3),
]


def _file(tmp_path: Path, rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> Path:
    path = tmp_path / "ningbo.geojson"
    path.write_text(feature_collection(rows), encoding="utf-8")
    return path


def test_it_creates_streets_and_districts_from_the_columns(demo_db: None,
                                                           tmp_path: Path) -> None:
    path = _file(tmp_path, ROWS)
    before = counts()
    out = import_layer("communities", path, "--create-parents")
    assert "created 2 districts and 3 streets with provisional codes" in out
    assert "养志社区 is another part of row 2" in out and "imported as one community in 2 " \
        "parts" in out
    after = counts()
    assert after["districts"] - before["districts"] == 2
    assert after["streets"] - before["streets"] == 3
    assert after["communities"] - before["communities"] == 4
    haishu = District.objects.get(name="海曙区")
    yinzhou = District.objects.get(name="鄞州区")
    assert haishu.code_provisional and yinzhou.code_provisional
    assert {haishu.code, yinzhou.code} <= {f"{n}" for n in range(990000, 1000000)}
    ximen = Street.objects.filter(name="西门街道").exclude(district__code__startswith="5")
    assert sorted(s.district.name for s in ximen) == ["海曙区", "鄞州区"]
    for street in ximen:
        assert street.code.startswith(street.district.code) and street.code_provisional
    yangzhi = Community.objects.get(name="养志社区")
    assert len(yangzhi.geom) == 2
    assert yangzhi.street.name == "西门街道" and yangzhi.street.district == haishu
    assert Community.objects.get(name="明楼社区").street.district == yinzhou
    # A street is the union of its communities; a district of its streets.
    street = shapely.from_wkb(bytes(yangzhi.street.geom.wkb))
    assert street.area == pytest.approx(3 * D * D, rel=1e-6)
    district = shapely.from_wkb(bytes(haishu.geom.wkb))
    assert district.contains(shapely.from_wkb(bytes(yangzhi.geom.wkb)))
    # Importing the same file again finds what it made: nothing new, nothing changed.
    again = import_layer("communities", path, "--create-parents")
    assert "created 0 districts and 0 streets" in again and "2 districts and 3 streets " \
        "already existed" in again
    assert counts() == after


def test_it_writes_no_parents_when_a_community_row_fails(demo_db: None,
                                                         tmp_path: Path) -> None:
    rows = [*ROWS, _row("坏户数社区", "东柳街道", "鄞州区", 2, -3, 户数="很多")]
    message = rejected("communities", _file(tmp_path, rows), "--create-parents")
    assert "1 problems" in message
    assert not District.objects.filter(name__in=["海曙区", "鄞州区"]).exists()
    # A dry run reports what it would make and writes nothing either.
    before = counts()
    out = import_layer("communities", _file(tmp_path, ROWS), "--create-parents", "--dry-run")
    assert "created 2 districts and 3 streets" in out and "Dry run" in out
    assert counts() == before


def test_it_refuses_new_districts_to_a_district_steward(demo_db: None, tmp_path: Path) -> None:
    steward = User.objects.create_user("steward-d")
    Account.assign(steward, Role.STEWARD, District.objects.order_by("code").first().code)
    message = rejected("communities", _file(tmp_path, ROWS), "--create-parents",
                       "--as", "steward-d")
    assert "outside the scope" in message


def test_it_refuses_an_update_that_leaves_its_parent(demo_db: None, tmp_path: Path) -> None:
    import_layer("communities", _file(tmp_path, ROWS), "--create-parents")
    mingl = Community.objects.get(name="明楼社区")
    code = mingl.code
    # The same code, now lying in 东柳街道's place: the steward's file (or --crs) is wrong.
    moved = [({"社区代码": code, "社区名称": "明楼社区"}, square(X0 + 1 * D, Y0 - 3 * D, D))]
    message = rejected("communities", _file(tmp_path, moved), "--report", tmp_path / "p.csv")
    report = (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert "1 problems" in message and "leaves_parent" in report and "--allow-move" in report
    assert Community.objects.get(pk=mingl.pk).street_id == mingl.street_id


def test_it_records_a_command_import_and_undoes_it(demo_db: None, tmp_path: Path) -> None:
    from django.core.management import CommandError

    from geo.models import ImportRun, ImportStatus
    from tests.import_helpers import run

    before = counts()
    out = import_layer("communities", _file(tmp_path, ROWS), "--create-parents")
    recorded = ImportRun.objects.order_by("-pk").first()
    assert recorded is not None and f"undo_import {recorded.pk}" in out
    assert recorded.counts["created"] == 4 and len(recorded.file_sha256) == 64
    # Edited since: the undo refuses and changes nothing.
    c = Community.objects.get(name="东柳社区")
    c.households, c.version = 999, c.version + 1
    c.save()
    with pytest.raises(CommandError, match="edited after the import"):
        run("undo_import", recorded.pk)
    assert Community.objects.filter(name="东柳社区").exists()
    c.version -= 1
    c.save()
    assert "Undone import" in run("undo_import", recorded.pk)
    assert counts() == before
    recorded.refresh_from_db()
    assert recorded.status == ImportStatus.UNDONE
    with pytest.raises(CommandError, match="only an imported run"):
        run("undo_import", recorded.pk)
