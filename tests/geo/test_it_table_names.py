"""Raw SQL names tables through the models (geo.models.tables), never as typed literals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

from geo.models import Community, CommunityOwnCenter, GridUnit
from geo.models.tables import sql, table

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("geo", "tiles", "webmap", "importers", "config")


def test_it_fills_placeholders_from_the_models() -> None:
    assert table("GridUnit") == GridUnit._meta.db_table
    assert sql("SELECT 1 FROM {Community} c JOIN {CommunityOwnCenter} o ON true") == (
        f"SELECT 1 FROM {Community._meta.db_table} c "
        f"JOIN {CommunityOwnCenter._meta.db_table} o ON true")
    # Lower-case braces are str.format slots and SQL literals; they pass through.
    assert sql("WHERE {where} AND a = '{}'") == "WHERE {where} AND a = '{}'"
    with pytest.raises(LookupError, match="Comunity"):
        sql("SELECT 1 FROM {Comunity}")


def test_it_leaves_no_table_name_typed_into_the_code() -> None:
    names = sorted((m._meta.db_table for m in apps.get_app_config("geo").get_models()),
                   key=len, reverse=True)
    literal = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "node_modules" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                # A view's own Meta.db_table is where its name is defined.
                if literal.search(line) and "db_table" not in line and "``" not in line:
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []
