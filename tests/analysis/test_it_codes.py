"""Statistical code formats."""

from __future__ import annotations

import pytest

from geo.analysis.codes import CodeError, check_code, child_code


def test_it_accepts_well_formed_codes() -> None:
    check_code("district", "510104")
    check_code("street", "510104022", "510104")
    check_code("community", "510104022006", "510104022")
    check_code("grid", "510104022006001", "510104022006")


@pytest.mark.parametrize(("level", "value"), [
    ("district", "51010"), ("district", "51010a"), ("street", "5101040220"),
    ("community", ""), ("grid", "51010402200600"),
])
def test_it_rejects_bad_formats(level: str, value: str) -> None:
    with pytest.raises(CodeError) as info:
        check_code(level, value)
    assert info.value.code == "code_format"


def test_it_rejects_a_code_outside_its_parent() -> None:
    with pytest.raises(CodeError, match="应以其街道代码 510104022 开头"):
        check_code("community", "510104023006", "510104022")


def test_it_numbers_children() -> None:
    assert child_code("510104022006", 7, "grid") == "510104022006007"
    with pytest.raises(CodeError):
        child_code("510104022006", 1000, "grid")
