"""Pinyin spellings of names: toneless, lower case, initials; Latin and digits kept."""

from __future__ import annotations

import pytest

from geo.analysis.pinyin import is_spelling, spell


@pytest.mark.parametrize(("text", "expected"), [
    ("海棠社区", ("haitangshequ", "htsq")),
    ("海堂社区", ("haitangshequ", "htsq")),  # another character, the same sound
    ("万科公寓一期", ("wankegongyuyiqi", "wkgyyq")),
    ("B区 3栋", ("bqu3dong", "bq3d")),
    ("锦城示范区（演示）", ("jinchengshifanquyanshi", "jcsfqys")),
    ("", ("", "")),
])
def test_it_spells_names(text: str, expected: tuple[str, str]) -> None:
    assert spell(text) == expected


def test_it_tells_typed_pinyin_from_characters() -> None:
    assert is_spelling("htsq") and is_spelling("haitang")
    assert not is_spelling("海堂") and not is_spelling("")
