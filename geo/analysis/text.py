"""User-facing text of the Django-free algorithms, translated where it is shown.

The algorithms cannot call Django's gettext, yet a planner must read their findings and
refusals in the interface's language. They return a :class:`Text`: a message id (the
Chinese source text, with named ``%(name)s`` placeholders) and its values. The door that
shows it (API, page, command) translates the id and fills the values in; ``str()`` gives
the source text. ``makemessages`` extracts ``Text("…")`` calls (see the project's
``makemessages`` command).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Text:
    """A message id and the values of its placeholders."""

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values: Any) -> None:
        self.msgid = msgid
        self.values = values

    def render(self, translate: Callable[[str], str]) -> str:
        """The message in the language ``translate`` gives, with its values filled in."""
        values = {k: v.render(translate) if isinstance(v, Text) else v
                  for k, v in self.values.items()}
        template = translate(self.msgid)
        return template % values if values else template

    def __str__(self) -> str:
        """The source (Chinese) text."""
        return self.render(lambda s: s)

    def __repr__(self) -> str:
        """The call that makes this text."""
        return f"Text({self.msgid!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        """Same message id and values."""
        return isinstance(other, Text) and (self.msgid, self.values) == (other.msgid,
                                                                         other.values)

    def __hash__(self) -> int:
        """Hash of the message id (equal texts share it)."""
        return hash(self.msgid)

