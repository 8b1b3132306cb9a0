"""How a place name is spelt in pinyin, for search by sound, by pinyin and by initials.

People type what they hear: 海堂社区 for 海棠社区 (same sound, another character),
``haitang`` on a phone keyboard, or the initials ``htsq``. Each name is kept with its
toneless pinyin (``haitangshequ``) and its initials (``htsq``); a query matches when its own
spelling is part of a name's.
"""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

_KEEP = re.compile(r"[a-z0-9]+")


def _as_is(chars: str) -> str:
    return chars


def spell(text: str) -> tuple[str, str]:
    """Toneless pinyin and initials of ``text``, lower case, letters and digits only.

    Parameters
    ----------
    text : a name or a query; Latin letters and digits pass through lower-cased, Han
        characters become their most common reading, anything else is dropped.

    Returns
    -------
    (pinyin, initials) : e.g. ``("haitangshequ", "htsq")`` for 海棠社区.

    Examples
    --------
    >>> spell("万科公寓一期")
    ('wankegongyuyiqi', 'wkgyyq')
    >>> spell("B区 3栋")
    ('bqu3dong', 'bq3d')
    """
    syllables = [s.lower() for s in lazy_pinyin(text, errors=_as_is)]
    words = [w for s in syllables for w in _KEEP.findall(s)]
    return "".join(words), "".join(w[0] if not w.isdigit() else w for w in words)


def is_spelling(query: str) -> bool:
    """Whether a query is typed in Latin letters (pinyin or initials), not characters."""
    return bool(query) and all(c.isascii() for c in query)
