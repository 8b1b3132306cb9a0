"""An import speaks the reader's language: every problem, note and refusal in Chinese for a
Chinese run, in English for an English one (the file's own names and headers excepted)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation

from tests.import_helpers import feature_collection, rejected, square

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{4,}")
# What the file itself says (headers, values) and identifiers that read the same in both.
DATA = ["户数", "名称", "社区代码", "甲", "乙", "丙", "许多"]
# The file's name, the command's option (--skip-invalid) and a field's name for --map.
SAME = {"grids", "geojson", "skip", "invalid", "name"}


def _problems(tmp_path: Path, language: str) -> tuple[str, list[list[str]]]:
    bow_tie = {"type": "Polygon", "coordinates": [[[104.0, 30.6], [104.01, 30.61],
                                                   [104.01, 30.6], [104.0, 30.61],
                                                   [104.0, 30.6]]]}
    path = tmp_path / "grids.geojson"
    path.write_text(feature_collection([
        ({"名称": "甲", "户数": "许多"}, square(104.0, 30.6)),
        ({"名称": "乙", "户数": "12"}, bow_tie),
        ({"户数": "3"}, square(104.1, 30.6)),
    ]), encoding="utf-8")
    report = tmp_path / f"report-{language}.csv"
    with translation.override(language):
        message = rejected("grids", path, "--report", report)
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    return message, rows


def _words(text: str) -> str:
    for value in DATA:
        text = text.replace(value, " ")
    return text


def test_it_reports_problems_in_chinese_to_a_chinese_reader(demo_db: None,
                                                            tmp_path: Path) -> None:
    message, rows = _problems(tmp_path, "zh-hans")
    assert message.startswith("grids.geojson 中有 3 个问题")
    assert rows[0] == ["行", "字段", "错误代码", "说明"]
    assert len(rows) > 2
    text = _words(" ".join([message, *[r[3] for r in rows[1:]]]))
    assert [w for w in ENGLISH_WORD.findall(text) if w not in SAME] == [], text
    assert "不是数字" in text


def test_it_reports_problems_in_english_to_an_english_reader(demo_db: None,
                                                             tmp_path: Path) -> None:
    message, rows = _problems(tmp_path, "en")
    assert rows[0] == ["Row", "Field", "Error code", "Message"]
    text = _words(" ".join([message, *[r[3] for r in rows[1:]]]))
    assert CJK.findall(text) == [], text
    assert "is not a number" in text
