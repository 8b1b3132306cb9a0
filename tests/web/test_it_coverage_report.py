"""coverage_report: each format's figures against the analysis functions, on the demo."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from PIL import Image

from geo.analysis.rules import load_profile
from geo.models import Community, GridUnit
from geo.services.coverage import run_coverage
from geo.services.rules import run_facility, run_members
from webmap.reports.jsonout import SCHEMA_NAME, schema

pytestmark = pytest.mark.django_db

DISTRICT = "510199"


def _report(tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"report.{fmt}"
    call_command("coverage_report", "--scope", DISTRICT, "--output", str(out), *args,
                 stdout=io.StringIO(), verbosity=0)
    return out


def _expected() -> dict[str, dict[str, Any]]:
    """Per-community figures straight from the analysis functions."""
    profile = load_profile(None)
    facility = {r["code"]: r for r in run_facility(DISTRICT, profile)["communities"]}
    coverage = run_coverage(DISTRICT, [300, 500, 1000], profile)
    cov = {r["code"]: r for r in coverage["levels"]["community"]}
    members = {r["code"]: r for r in run_members(DISTRICT, profile)["communities"]}
    return {code: {"facility": facility[code], "coverage": cov[code],
                   "members": members[code]} for code in facility}


def test_it_writes_a_workbook_whose_rows_match_the_analysis(demo_db: None,
                                                            tmp_path: Path) -> None:
    wb: Any = load_workbook(_report(tmp_path, "xlsx"))
    assert wb.sheetnames == ["摘要", "社区", "街道", "区县", "问题清单", "整改名单", "结对",
                             "未覆盖小区", "网格事件", "党员五个一", "人员经费",
                             "街道党务人员", "星级评定", "微心愿", "三张清单", "指引牌",
                             "地图与图表"]
    ws = wb["社区"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["社区代码", "社区名称", "街道", "户数"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref.startswith("A1:")
    col = {name: i for i, name in enumerate(header)}
    expected = _expected()
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Community.objects.filter(code__startswith=DISTRICT).count() == 36
    breaches = 0
    for j, row in enumerate(rows, start=2):
        exp = expected[row[col["社区代码"]]]
        fac, cov = exp["facility"], exp["coverage"]
        assert row[col["户数"]] == fac["households"]
        assert row[col["中心面积(m²)"]] == pytest.approx(fac["floor_area_m2"], abs=0.01)
        assert row[col["每百户面积(m²)"]] == pytest.approx(fac["m2_per_100_households"],
                                                       abs=0.01)
        assert row[col["面积缺口(m²)"]] == pytest.approx(fac["shortfall_m2"], abs=0.01)
        assert row[col["达标情况"]] == ("达标" if fac["meets"] else
                                        "无中心" if fac["centers"] == 0 else "不达标")
        for r in (300, 500, 1000):
            assert row[col[f"{r}米内户数占比"]] == pytest.approx(cov[f"within_{r}m"], abs=1e-4)
        assert row[col["报到党员"]] == exp["members"]["members"]
        grids = GridUnit.objects.filter(community__code=row[col["社区代码"]])
        assert row[col["网格数"]] == grids.count()
        assert row[col["网格户数最少"]] == min(g.households for g in grids)
        # Rule breaches are filled red; met rules are not.
        fill = ws.cell(row=j, column=col["达标情况"] + 1).fill.fgColor.rgb
        assert (fill == "00FFCDD2") == (not fac["meets"])
        breaches += not fac["meets"]
        assert ws.cell(row=j, column=col["每百户面积(m²)"] + 1).number_format == "0.0"
        assert ws.cell(row=j, column=col["300米内户数占比"] + 1).number_format == "0.0%"
    assert 0 < breaches < len(rows)
    street = {r[0]: r for r in wb["街道"].iter_rows(min_row=2, values_only=True)}
    assert len(street) == 4
    assert sum(r[3] for r in street.values()) == sum(r[col["户数"]] for r in rows)
    # The rectification list is the star rating's weak list: the lowest totals, at least
    # ceil(5% of 36) = 2 (ties with the last one come too).
    rect = list(wb["整改名单"].iter_rows(min_row=2, values_only=True))
    totals = sorted(r[2] for r in wb["星级评定"].iter_rows(min_row=2, values_only=True))
    assert len(rect) >= 2 and len(totals) == 36
    assert [r[4] for r in rect] == pytest.approx(totals[:len(rect)])
    assert len(rect) == 2 or totals[len(rect) - 1] == totals[1]
    assert len(wb["摘要"]._images) == 1 and len(wb["地图与图表"]._images) == 5


def _ink(png: Path) -> float:
    """Share of pixels that are not near-white."""
    img = np.asarray(Image.open(png).convert("L"))
    return float((img < 200).mean())


def test_it_prints_an_a4_pdf_with_numbered_pages_that_are_not_blank(demo_db: None,
                                                                    tmp_path: Path) -> None:
    pdf = _report(tmp_path, "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 6
    assert "595.276 x 841.89" in info  # A4 portrait (the wide tables are landscape A4)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    for png in pngs:
        assert _ink(png) > 0.003, f"{png.name} is blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"第 1 页 / 共 {pages} 页" in text and f"第 {pages} 页 / 共 {pages} 页" in text
    assert "锦城示范区（演示） 党群服务设施空间覆盖报告" in text
    assert "整改名单" in text and "建设社区" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    cjk = [line.split() for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert cjk and all(row[-5] == "yes" for row in cjk)  # an embedded CJK font (emb = yes)


def test_it_writes_json_that_follows_its_schema(demo_db: None, tmp_path: Path) -> None:
    out = _report(tmp_path, "json", "--reach", "300,800")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (tmp_path / SCHEMA_NAME).is_file()
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert data["meta"]["reaches_m"] == [300.0, 800.0]
    comms = data["communities"]
    assert data["summary"]["households"] == sum(c["households"] for c in comms)
    covered = sum(c["covered_households"] for c in comms)
    share = sum((c["shares"]["within_800m"] or 0) * c["covered_households"] for c in comms)
    assert data["summary"]["reach"]["shares"]["within_800m"] == pytest.approx(share / covered,
                                                                              abs=1e-4)
    assert data["districts"][0]["code"] == DISTRICT
    assert data["summary"]["facility"]["meets_count"] == sum(c["meets"] for c in comms)
    # A schema violation is caught: the schema is not a formality.
    data["communities"][0]["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(data)


def test_it_refuses_bad_input_and_keeps_the_old_file(demo_db: None, tmp_path: Path) -> None:
    out = tmp_path / "old.json"
    out.write_text("previous report", encoding="utf-8")
    for args, message in [
        (["--scope", "510199999"], "510199999"),
        (["--reach", "abc"], "--reach"),
        (["--profile", "nope"], "nope"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("coverage_report", "--output", str(out), *args,
                         stdout=io.StringIO(), verbosity=0)
        assert out.read_text(encoding="utf-8") == "previous report"
    with pytest.raises(CommandError, match="--format"):
        call_command("coverage_report", "--output", str(tmp_path / "r.docx"),
                     stdout=io.StringIO(), verbosity=0)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("coverage_report", "--output", str(tmp_path / "no" / "r.pdf"),
                     "--language", "en", stdout=io.StringIO(), verbosity=0)
    with pytest.raises(CommandError, match="不存在"):
        call_command("coverage_report", "--output", str(tmp_path / "no" / "r.pdf"),
                     stdout=io.StringIO(), verbosity=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


def test_it_reports_a_street_scope(demo_db: None, tmp_path: Path) -> None:
    out = tmp_path / "street.json"
    call_command("coverage_report", "--scope", "510199002", "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meta"]["scope"] == {"code": "510199002", "name": "桂溪街道", "level": "street"}
    assert {c["street_code"] for c in data["communities"]} == {"510199002"}
    assert [s["code"] for s in data["streets"]] == ["510199002"]


def test_it_tells_one_story_about_units_and_pairings(demo_db: None, tmp_path: Path) -> None:
    """The summary's pairing figures, counted again from the rows: they must agree."""
    from geo.models import CoBuildingUnit, Pairing

    out = _report(tmp_path, "json")
    pairing = json.loads(out.read_text(encoding="utf-8"))["summary"]["pairing"]
    official = Pairing.objects.filter(status__in=["confirmed", "signed"],
                                      community__code__startswith=DISTRICT)
    paired_communities = set(official.values_list("community_id", flat=True))
    in_district = Community.objects.filter(code__startswith=DISTRICT)
    assert pairing["units_in_scope"] == CoBuildingUnit.objects.filter(
        candidate=False, location__intersects=in_district.first().street.district.geom
    ).count() == 76
    assert pairing["units"] == len(set(official.values_list("unit_id", flat=True))) == 10
    assert pairing["pairings"] == Pairing.objects.filter(
        community__code__startswith=DISTRICT).count()
    assert pairing["communities_without_units"] == \
        in_district.exclude(id__in=paired_communities).count() == 33
