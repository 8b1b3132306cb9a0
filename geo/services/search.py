"""Name search over compounds, communities and service centers: by name, sound and pinyin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection

from geo.models import NameSpelling
from geo.models.tables import sql

if TYPE_CHECKING:  # the app loads this module at start-up: spelling is imported on use
    from .results import SearchHit

# Names of every searchable place that has no spelling yet.
_UNSPELT = sql("""
SELECT DISTINCT n.name FROM (
    SELECT name FROM {Compound} UNION SELECT name FROM {Community}
    UNION SELECT name FROM {ServiceCenter}) n
WHERE n.name <> '' AND NOT EXISTS (SELECT 1 FROM {NameSpelling} s WHERE s.name = n.name)
""")
# Set while every name is known to be spelt; dropped when places are written. Per database:
# the cache (Redis) outlives a database that is recreated (tests, a restore elsewhere).
FRESH_SECONDS = 300


def _fresh_key() -> str:
    return f"search:spellings-fresh:{connection.settings_dict['NAME']}"


# Name prefix first, then name substring, then the spelling (pinyin prefix, initials prefix,
# pinyin inside: a homophone typed with other characters), then fuzzy (trigram word
# similarity); shorter names first among equals: "锦城" finds 锦城花园 before 东锦城小区.
_SQL = sql("""
WITH spelt AS (
    SELECT name, pinyin, initials FROM {NameSpelling}
    WHERE %(py)s <> '' AND (pinyin LIKE %(py_like)s
                            OR (%(initials)s <> '' AND initials LIKE %(initials_prefix)s))
), places AS (
    SELECT 'compound' AS kind, t.id, t.name, c.name AS detail, ST_PointOnSurface(t.geom) AS p
    FROM {Compound} t
    LEFT JOIN {Community} c ON ST_Covers(c.geom, ST_PointOnSurface(t.geom))
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
          OR t.name IN (SELECT name FROM spelt)
  UNION ALL
    SELECT 'community', t.id, t.name, s.name, ST_PointOnSurface(t.geom)
    FROM {Community} t JOIN {Street} s ON s.id = t.street_id
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
          OR t.name IN (SELECT name FROM spelt)
  UNION ALL
    SELECT 'center', t.id, t.name, t.address, t.location
    FROM {ServiceCenter} t
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
          OR t.name IN (SELECT name FROM spelt)
)
SELECT h.kind, h.id, h.name, h.detail, ST_X(h.p), ST_Y(h.p),
       CASE WHEN h.name LIKE %(prefix)s THEN 3 WHEN h.name LIKE %(like)s THEN 2
            WHEN sp.pinyin LIKE %(py_prefix)s THEN 1.6
            WHEN %(initials)s <> '' AND sp.initials LIKE %(initials_prefix)s THEN 1.5
            WHEN sp.pinyin LIKE %(py_like)s THEN 1.4
            ELSE word_similarity(%(q)s, h.name) END AS score
FROM places h LEFT JOIN spelt sp ON sp.name = h.name
ORDER BY score DESC, length(h.name), h.kind, h.id
LIMIT %(limit)s
""")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def spell_missing_names() -> int:
    """Spell every searchable name that has no spelling yet; return how many were added."""
    from geo.analysis.pinyin import spell

    with connection.cursor() as cur:
        cur.execute(_UNSPELT)
        names = [row[0] for row in cur.fetchall()]
    rows = [NameSpelling(name=n, pinyin=p, initials=i)
            for n in names for p, i in [spell(n)]]
    NameSpelling.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def names_changed(*args: Any, **kwargs: Any) -> None:
    """Places were written: the next search spells the names it has not seen."""
    cache.delete(_fresh_key())


def _query_spelling(q: str) -> tuple[str, str]:
    """What a query's spelling is matched on: pinyin, and initials for Latin input only.

    ``htsq`` may be initials or the start of a pinyin; 海堂 is matched by sound only (its
    initials would match far too much). Shorter than two letters, nothing is matched.
    """
    from geo.analysis.pinyin import is_spelling, spell

    pinyin, initials = spell(q)
    if is_spelling(q):
        pinyin = initials = "".join(c for c in q.lower() if c.isalnum())
    else:
        initials = ""
    return (pinyin, initials) if len(pinyin) >= 2 else ("", "")


def search_places(query: str, limit: int = 10, fuzzy: float = 0.3) -> list[SearchHit]:
    """Places whose name matches ``query``, best first, each with a point to search from."""
    q = query.strip()
    if not q:
        return []
    if not cache.get(_fresh_key()):
        spell_missing_names()
        cache.set(_fresh_key(), True, FRESH_SECONDS)
    esc = _escape_like(q)
    pinyin, initials = _query_spelling(q)
    with connection.cursor() as cur:
        cur.execute(_SQL, {"q": q, "like": f"%{esc}%", "prefix": f"{esc}%",
                           "fuzzy": fuzzy, "limit": limit, "py": pinyin,
                           "py_like": f"%{pinyin}%", "py_prefix": f"{pinyin}%",
                           "initials": initials, "initials_prefix": f"{initials}%"})
        rows = cur.fetchall()
    return [{"kind": kind, "id": pk, "name": name, "detail": detail or "",
             "lon": round(float(x), 7), "lat": round(float(y), 7),
             "score": round(float(score), 3)}
            for kind, pk, name, detail, x, y, score in rows]
