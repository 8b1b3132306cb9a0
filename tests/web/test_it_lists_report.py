"""The coverage report's 三张清单 section: per community the needs, what agreed projects
cover (never more than a need asks) and what awaits review, in JSON, XLSX and HTML."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from geo.models import Need, Project
from tests.web.helpers import report_file

pytestmark = pytest.mark.django_db

SCOPE = "510199001"


def _report(tmp_path: Path, fmt: str) -> Path:
    return report_file(tmp_path, SCOPE, fmt)


def _expected() -> dict[str, dict[str, Any]]:
    """The figures counted row by row from the models, independently of the SQL."""
    year = timezone.localdate().year
    out: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for n in Need.objects.filter(community__code__startswith=SCOPE, year=year,
                                 status="open").select_related("community"):
        row = out[n.community.code]
        ps = list(Project.objects.filter(need=n))
        agreed = sum(p.quantity for p in ps if p.status in ("agreed", "done"))
        done = sum(p.quantity for p in ps if p.status == "done")
        row["needs"] += 1
        row["wanted"] += n.quantity
        row["agreed"] += min(agreed, n.quantity)
        row["done"] += min(done, n.quantity)
        row["needs_covered"] += agreed >= n.quantity
        row["proposed"] += sum(p.status == "proposed" for p in ps)
        row["projects"] += sum(p.status in ("agreed", "done") for p in ps)
    return out


def test_it_counts_needs_and_projects_per_community(demo_db: None, tmp_path: Path) -> None:
    data = json.loads(_report(tmp_path, "json").read_text(encoding="utf-8"))
    exp = _expected()
    assert exp, "the demo lists needs in the scope"
    got = {r["code"]: r for r in data["lists"]}
    assert set(got) == set(exp)
    for code, e in exp.items():
        for key, value in e.items():
            assert got[code][key] == value, (code, key)
        assert got[code]["covered_share"] == round(e["agreed"] / e["wanted"], 4)
    total = data["summary"]["lists"]
    assert total["wanted"] == sum(e["wanted"] for e in exp.values())
    assert total["agreed"] == sum(e["agreed"] for e in exp.values()) > 0


def test_it_writes_a_sheet_and_a_section(demo_db: None, tmp_path: Path) -> None:
    exp = _expected()
    ws = load_workbook(_report(tmp_path, "xlsx"))["三张清单"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["社区代码", "社区", "需求项数", "需求数量"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == set(exp)
    for r in rows:
        e = exp[str(r[0])]
        assert (r[2], r[3], r[header.index("已立项满足")]) == (e["needs"], e["wanted"],
                                                               e["agreed"])
    html = _report(tmp_path, "html").read_text(encoding="utf-8")
    year = timezone.localdate().year
    assert f"十六、三张清单（{year} 年）" in html and 'id="list-table"' in html
