"""The coverage report's 五个一 section: the same figures as the service, in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from geo.analysis.rules import load_profile
from geo.services.duties import member_duties
from tests.web.helpers import report_file

pytestmark = pytest.mark.django_db

SCOPE = "510199001"


def _report(tmp_path: Path, fmt: str) -> Path:
    return report_file(tmp_path, SCOPE, fmt)


def _expected() -> dict[str, Any]:
    return member_duties(SCOPE, timezone.localdate().year, load_profile())


def test_it_puts_each_communitys_completion_in_the_json(demo_db: None, tmp_path: Path) -> None:
    data = json.loads(_report(tmp_path, "json").read_text(encoding="utf-8"))
    exp = _expected()
    assert data["summary"]["duties"]["year"] == exp["year"]
    assert data["summary"]["duties"]["complete"] == exp["summary"]["complete"] > 0
    assert data["summary"]["duties"]["behind"] == exp["summary"]["behind"] > 0
    assert data["duties"] == [c for c in exp["communities"] if c["members"]]
    assert sum(c["members"] for c in data["duties"]) == exp["summary"]["members"]
    # Community figures only: no member's name reaches the report.
    names = {m["name"] for m in exp["members"]}
    text = json.dumps(data["duties"], ensure_ascii=False)
    assert not any(n in text for n in names)


def test_it_writes_a_sheet_and_a_section(demo_db: None, tmp_path: Path) -> None:
    exp = {c["code"]: c for c in _expected()["communities"]}
    ws = load_workbook(_report(tmp_path, "xlsx"))["党员五个一"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["社区代码", "社区", "报到党员", "全部完成", "完成率", "未完成"]
    assert "缺：认领微心愿" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(1 for c in exp.values() if c["members"]) > 0
    for row in rows:
        c = exp[row[0]]
        assert row[2:4] == (c["members"], c["complete"]) and row[5] == c["behind"]
        assert row[header.index("缺：认领微心愿")] == c["lacking_wish"]
    html = _report(tmp_path, "html").read_text(encoding="utf-8")
    year = timezone.localdate().year
    assert f"十二、报到党员“五个一”（{year} 年）" in html and 'id="duty-table"' in html
