"""import_sheet wishes: micro-wishes from a sheet, each inside its community; all or none."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from geo.models import Community, Wish
from importers.organisation import import_wishes

pytestmark = pytest.mark.django_db

HEADER = ["社区代码", "类别", "心愿", "心愿人", "经度", "纬度", "发布日期"]


def _csv(tmp_path: Path, rows: list[list[object]]) -> Path:
    path = tmp_path / "wishes.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_it_imports_wishes_placed_in_their_communities(demo_db: None, tmp_path: Path) -> None:
    a, b = Community.objects.filter(code__startswith="510199").order_by("code")[:2]
    pa, pb = a.geom.point_on_surface, b.geom.point_on_surface
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    good = [[a.code, "医疗", "需要血压计", "王桂兰", pa.x, pa.y, day],
            [b.code, "学习用品", "想要台灯", "李明", pb.x, pb.y, ""]]
    result = import_wishes(_csv(tmp_path, good))
    assert result.written and result.created == 2
    w = Wish.objects.get(person="王桂兰")
    assert (w.category, w.community_id, w.posted_on.isoformat(), w.status) == (
        "health", a.pk, day, "open")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = [[a.code, "医疗", "x", "甲", pb.x, pb.y, ""],  # placed in the other community
           ["510199999999", "医疗", "x", "乙", pa.x, pa.y, ""],
           [a.code, "跳舞", "x", "丙", pa.x, pa.y, ""],
           [a.code, "医疗", "x", "丁", pa.x, pa.y, tomorrow]]
    refused = import_wishes(_csv(tmp_path, bad))
    assert [(p.row, p.code) for p in refused.problems] == [
        (2, "outside_community"), (3, "unknown_community"), (4, "bad_choice"),
        (5, "bad_dates")]
    assert not Wish.objects.filter(person__in=["甲", "乙", "丙", "丁"]).exists()
    scoped = import_wishes(_csv(tmp_path, good[:1]), scope=b.code)
    assert [p.code for p in scoped.problems] == ["outside_scope"]
