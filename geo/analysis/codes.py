"""Statistical codes of the administrative hierarchy (Django-free).

District codes follow GB/T 2260 (6 digits), street codes extend them to 9
digits, community codes to 12 (民政/统计局 codes) and grid codes append a
3-digit sequence to the community code (15 digits).
"""

from __future__ import annotations

import re
from typing import Final

CODE_LENGTHS: Final = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL: Final = {"street": "district", "community": "street", "grid": "community"}
CODE_REGEX: Final = {level: rf"^[0-9]{{{n}}}$" for level, n in CODE_LENGTHS.items()}


class CodeError(ValueError):
    """A statistical code has the wrong format; ``code`` is a stable identifier."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_code(level: str, value: str, parent_code: str | None = None) -> None:
    """Raise :class:`CodeError` unless ``value`` is a well-formed code of ``level``.

    A code below the district must start with its parent's code.
    """
    n = CODE_LENGTHS[level]
    if not re.fullmatch(rf"[0-9]{{{n}}}", value or ""):
        raise CodeError("code_format", f"{level} code {value!r} must be exactly {n} digits")
    if parent_code is not None and not value.startswith(parent_code):
        raise CodeError(
            "code_parent",
            f"{level} code {value} must start with its {PARENT_LEVEL[level]} code {parent_code}",
        )


def child_code(parent_code: str, seq: int, level: str) -> str:
    """Return the code of the ``seq``-th child (1-based) of ``parent_code`` at ``level``."""
    width = CODE_LENGTHS[level] - len(parent_code)
    if not 1 <= seq < 10**width:
        raise CodeError("code_sequence", f"sequence {seq} does not fit {width} digits")
    return f"{parent_code}{seq:0{width}d}"
