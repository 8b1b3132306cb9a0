"""Name search over compounds, communities and service centers (pg_trgm)."""

from __future__ import annotations

from django.db import connection

from geo.models.tables import sql

from .results import SearchHit

# Prefix matches first, then substrings, then fuzzy (trigram word similarity), shorter
# names first among equals: "锦城" finds 锦城花园 before 东锦城小区 before 锦程苑.
_SQL = sql("""
WITH hits AS (
    SELECT 'compound' AS kind, t.id, t.name, c.name AS detail, ST_PointOnSurface(t.geom) AS p
    FROM {Compound} t
    LEFT JOIN {Community} c ON ST_Covers(c.geom, ST_PointOnSurface(t.geom))
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
  UNION ALL
    SELECT 'community', t.id, t.name, s.name, ST_PointOnSurface(t.geom)
    FROM {Community} t JOIN {Street} s ON s.id = t.street_id
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
  UNION ALL
    SELECT 'center', t.id, t.name, t.address, t.location
    FROM {ServiceCenter} t
    WHERE t.name LIKE %(like)s OR word_similarity(%(q)s, t.name) >= %(fuzzy)s
)
SELECT kind, id, name, detail, ST_X(p), ST_Y(p),
       CASE WHEN name LIKE %(prefix)s THEN 3 WHEN name LIKE %(like)s THEN 2
            ELSE word_similarity(%(q)s, name) END AS score
FROM hits
ORDER BY score DESC, length(name), kind, id
LIMIT %(limit)s
""")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_places(query: str, limit: int = 10, fuzzy: float = 0.3) -> list[SearchHit]:
    """Places whose name matches ``query``, best first, each with a point to search from."""
    q = query.strip()
    if not q:
        return []
    esc = _escape_like(q)
    with connection.cursor() as cur:
        cur.execute(_SQL, {"q": q, "like": f"%{esc}%", "prefix": f"{esc}%",
                           "fuzzy": fuzzy, "limit": limit})
        rows = cur.fetchall()
    return [{"kind": kind, "id": pk, "name": name, "detail": detail or "",
             "lon": round(float(x), 7), "lat": round(float(y), 7),
             "score": round(float(score), 3)}
            for kind, pk, name, detail, x, y, score in rows]
