"""import_sheet signs: a ledger of signs already standing, by center number or code (never
by name), placed near their center, filled in where the ledger is silent; all or none."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from geo.analysis.signs import bearing
from geo.models import DirectionSign, ServiceCenter
from importers.fields import MappingError
from importers.lists import import_signs

pytestmark = pytest.mark.django_db

HEADER = ["中心系统编号", "中心编号", "服务中心", "经度", "纬度", "状态", "箭头方位角", "安装日期"]


def _csv(tmp_path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "signs.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_it_imports_a_ledger_of_standing_signs(demo_db: None, tmp_path: Path) -> None:
    a, b = ServiceCenter.objects.filter(community__code__startswith="510199001")[:2]
    b.code = "JH-002"
    b.save()
    near_a = (a.location.x + 0.002, a.location.y)  # ~190 m east
    day = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    good = [[a.pk, "", a.name, near_a[0], near_a[1], "已安装", 270, day],
            ["", "JH-002", "", b.location.x, b.location.y + 0.001, "批准", "", ""]]
    result = import_signs(_csv(tmp_path, good))
    assert result.written and result.created == 2, result.problems
    first = DirectionSign.objects.get(center=a, source="signs.csv")
    assert (first.status, first.installed_on.isoformat() if first.installed_on else None,
            first.route_bearing_deg) == ("installed", day, 270.0)
    assert first.bearing_deg == pytest.approx(bearing(*near_a, a.location.x, a.location.y),
                                              abs=0.1)
    # The text a ledger leaves out is written in the importing user's language.
    assert 180 <= first.walk_m <= 200
    assert first.text == gettext("→ %(name)s %(metres)s 米") % {"name": a.name,
                                                                "metres": first.walk_m}
    second = DirectionSign.objects.get(center=b, source="signs.csv")
    assert second.status == "approved" and 100 <= second.walk_m <= 120
    assert second.bearing_deg == pytest.approx(180, abs=1)  # the center lies south

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = [[a.pk, "", b.name, *near_a, "", "", ""],  # the number and the name disagree
           [999_999_999, "", "", *near_a, "", "", ""],
           [a.pk, "", "", a.location.x + 0.1, a.location.y, "", "", ""],  # ~10 km away
           [a.pk, "", "", *near_a, "拆了", "", ""],
           [a.pk, "", "", *near_a, "", "", tomorrow]]
    refused = import_signs(_csv(tmp_path, bad))
    assert [(p.row, p.code) for p in refused.problems] == [
        (2, "center_mismatch"), (3, "unknown_center"), (4, "too_far"), (5, "bad_choice"),
        (6, "bad_dates")]
    assert DirectionSign.objects.filter(source="signs.csv").count() == 2
    with pytest.raises(MappingError):  # a center by name alone: names repeat
        import_signs(_csv(tmp_path, [[a.name, *near_a]], ["服务中心", "经度", "纬度"]))
    scoped = import_signs(_csv(tmp_path, good[:1]), scope="510199002")
    assert [p.code for p in scoped.problems] == ["outside_scope"]
