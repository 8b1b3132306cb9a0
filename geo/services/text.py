"""The algorithms' :class:`~geo.analysis.text.Text` in the active language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils.translation import get_language, gettext

from geo.analysis.text import Text


def say(text: Text | str) -> str:
    """``text`` translated into the active language (a plain string stays as it is)."""
    return text.render(gettext) if isinstance(text, Text) else str(text)


def say_all(parts: Sequence[Text | str]) -> str:
    """Several messages as one line, in the active language."""
    return gettext("；").join(say(p) for p in parts)


def chinese() -> bool:
    """Whether the active language is Chinese (the source language; the default)."""
    return (get_language() or "zh").startswith("zh")


class Titled(Protocol):
    """Data named in both languages (rule profiles, event categories, departments)."""

    @property
    def title(self) -> str: ...

    @property
    def title_en(self) -> str: ...


def title_of(item: Titled) -> str:
    """``item``'s title in the active language."""
    return item.title if chinese() else item.title_en
