"""The importer tests read their messages in English (the Chinese ones are the msgids; the
test_it_import_messages_language test checks that a Chinese run reads Chinese)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield
