"""Many rows into one table with PostgreSQL's COPY instead of INSERT.

``bulk_create`` sends batches of multi-row INSERTs whose parameters Django and the driver
adapt one by one; at city scale (a million walk nodes, half a million buildings) that is
minutes. COPY streams the rows in one statement. Primary keys are taken from the table's
sequence first (one ``nextval`` per row in a single query, safe beside other writers), so
the caller gets the objects back with their ids, as from ``bulk_create``, and can point
foreign keys at them.

Models with an audit history are left to :func:`geo.models.audit.bulk_create` (their
history rows must be written too); they are the small tables (communities, centers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import shapely
from django.contrib.gis.db.models import GeometryField
from django.db import connection, models
from django.utils import timezone
from psycopg import sql
from shapely.geometry.base import BaseGeometry

from geo.models.audit import _audited, bulk_create
from geo.models.base import SRID

ROWS_PER_CALLBACK = 10_000


M = TypeVar("M", bound=models.Model)


def copy_create(model: type[M], objs: Sequence[M],
                progress: Callable[[int], None] | None = None,
                reason: str = "") -> list[M]:
    """Insert ``objs`` (unsaved instances of ``model``) and return them with their pks.

    COPY for plain tables; audited models go through ``bulk_create`` with their history.
    ``progress`` is called with the number of rows written every ``ROWS_PER_CALLBACK``.
    Runs inside the caller's transaction: a failure writes nothing of it.
    """
    rows = list(objs)
    if not rows:
        return []
    if _audited(model):
        return bulk_create(model, rows, 2000, reason)
    meta = model._meta
    fields = list(meta.concrete_fields)
    pk = meta.pk
    assert pk is not None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, pk.column])
        (sequence,) = cur.fetchone()
        cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(rows)])
        for obj, (key,) in zip(rows, cur.fetchall(), strict=True):
            obj.pk = key
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table),
            sql.SQL(", ").join([sql.Identifier(str(f.column)) for f in fields]))
        raw = cur.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        line = _line_maker(fields)
        # Django's error classes, as from any query (callers catch DatabaseError).
        with connection.wrap_database_errors, raw.copy(statement) as copy:
            for start in range(0, len(rows), ROWS_PER_CALLBACK):
                chunk = rows[start:start + ROWS_PER_CALLBACK]
                if line is not None:
                    copy.write("".join(line(obj) for obj in chunk).encode())
                else:
                    for obj in chunk:
                        copy.write_row([_db_value(f, obj) for f in fields])
                if progress is not None:
                    progress(start + len(chunk))
    for obj in rows:
        obj._state.adding = False
        obj._state.db = connection.alias
    return rows


def ewkb_hex(geoms: Sequence[BaseGeometry], srid: int = SRID) -> list[str]:
    """Shapely geometries as hex EWKB strings, all at once (a model's geometry may be set to
    one: :func:`copy_create` sends it as is, without a GEOS object per row)."""
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), srid)
    return [str(h) for h in shapely.to_wkb(arr, hex=True, include_srid=True)]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _line_maker(fields: list[models.Field[Any, Any]]
                ) -> Callable[[models.Model], str] | None:
    """A function writing one object as a line of COPY's text format, if every field has a
    fast form (None: the slow path adapts each value as an INSERT would)."""
    now = timezone.now()
    parts = []
    for f in fields:
        # A field of our own may adapt its value (encrypt, normalise): only it knows how.
        part = _text_of(f, now) if type(f).__module__.startswith("django.") else None
        if part is None:
            return None
        parts.append(part)

    def line(obj: models.Model) -> str:
        return "\t".join(p(obj) for p in parts) + "\n"
    return line


def _text_of(field: models.Field[Any, Any], now: Any) -> Callable[[models.Model], str] | None:
    """One field's value in COPY's text format (``\\N`` for NULL)."""
    name = field.attname
    if isinstance(field, GeometryField):
        srid = field.srid

        def geometry(obj: models.Model) -> str:
            # The stored value, not the descriptor's: reading a hex string through it
            # would build a GEOS object per row, the cost COPY is here to avoid.
            g = obj.__dict__.get(name)
            if g is None:
                return "\\N"
            if isinstance(g, str):  # hex EWKB from ewkb_hex() (or EWKT): PostGIS reads it
                return _escaped(g)
            if g.srid is None:
                g.srid = srid
            return str(g.hexewkb.decode())
        return geometry
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        stamp = now.isoformat()
        return lambda obj: stamp
    if isinstance(field, models.JSONField):
        return lambda obj: _nullable(getattr(obj, name), lambda v: _escaped(json.dumps(
            v, ensure_ascii=False))) if field.null else _escaped(json.dumps(
                getattr(obj, name), ensure_ascii=False))
    if isinstance(field, (models.CharField, models.TextField)):
        return lambda obj: _nullable(getattr(obj, name), lambda v: _escaped(str(v)))
    if isinstance(field, models.BooleanField):
        return lambda obj: _nullable(getattr(obj, name), lambda v: "t" if v else "f")
    if isinstance(field, (models.IntegerField, models.FloatField, models.DecimalField,
                          models.AutoField, models.ForeignKey)):
        return lambda obj: _nullable(getattr(obj, name), str)
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return lambda obj: _nullable(getattr(obj, name), lambda v: v.isoformat())
    return None


def _escaped(text: str) -> str:
    return text.translate(_ESCAPES)


def _nullable(value: Any, show: Callable[[Any], str]) -> str:
    return "\\N" if value is None else show(value)


def _db_value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    """The value as an INSERT would send it (defaults, auto_now, geometry and JSON adapted)."""
    return field.get_db_prep_save(field.pre_save(obj, True), connection)
