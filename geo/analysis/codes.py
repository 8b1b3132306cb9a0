"""Statistical codes of the administrative hierarchy (Django-free).

District codes follow GB/T 2260 (6 digits), street codes extend them to 9
digits, community codes to 12 (民政/统计局 codes) and grid codes append a
3-digit sequence to the community code (15 digits).
"""

from __future__ import annotations

import re
from typing import Final

from .text import Text

CODE_LENGTHS: Final = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL: Final = {"street": "district", "community": "street", "grid": "community"}
CODE_REGEX: Final = {level: rf"^[0-9]{{{n}}}$" for level, n in CODE_LENGTHS.items()}
LEVEL_NAMES: Final = {"district": Text("区县"), "street": Text("街道"), "community": Text("社区"),
                      "grid": Text("网格")}


class CodeError(ValueError):
    """A statistical code has the wrong format; ``code`` is a stable identifier."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_code(level: str, value: str, parent_code: str | None = None) -> None:
    """Raise :class:`CodeError` unless ``value`` is a well-formed code of ``level``.

    A code below the district must start with its parent's code.
    """
    n = CODE_LENGTHS[level]
    if not re.fullmatch(rf"[0-9]{{{n}}}", value or ""):
        raise CodeError("code_format", Text("%(level)s代码 %(value)r 应为 %(n)s 位数字",
                                            level=LEVEL_NAMES[level], value=value, n=n))
    if parent_code is not None and not value.startswith(parent_code):
        raise CodeError("code_parent", Text(
            "%(level)s代码 %(value)s 应以其%(parent)s代码 %(parent_code)s 开头",
            level=LEVEL_NAMES[level], value=value, parent=LEVEL_NAMES[PARENT_LEVEL[level]],
            parent_code=parent_code))


def child_code(parent_code: str, seq: int, level: str) -> str:
    """Return the code of the ``seq``-th child (1-based) of ``parent_code`` at ``level``."""
    width = CODE_LENGTHS[level] - len(parent_code)
    if not 1 <= seq < 10**width:
        raise CodeError("code_sequence", Text("序号 %(seq)s 超出 %(width)s 位数字",
                                              seq=seq, width=width))
    return f"{parent_code}{seq:0{width}d}"
