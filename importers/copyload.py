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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import shapely
from django.contrib.gis.db.models import GeometryField
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql
from shapely.geometry.base import BaseGeometry

from geo.models.audit import ACTOR, _audited, bulk_create
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
    with transaction.atomic():
        _no_timeout()
        return _copy_objects(model, rows, progress)


def _copy_objects(model: type[M], rows: list[M], progress: Callable[[int], None] | None
                  ) -> list[M]:
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


def copy_columns(model: type[models.Model], n: int, columns: Mapping[str, Any],
                 progress: Callable[[int], None] | None = None,
                 reason: str = "") -> np.ndarray:
    """Insert ``n`` rows of ``model`` given column by column; return their ids in order.

    ``columns`` maps a field's attname (``community_id``, ``geom``) to one value for every
    row or to a sequence of ``n`` values (numpy arrays are formatted at once; geometries as
    hex EWKB strings from :func:`ewkb_hex` or as shapely geometries). A field left out
    takes its default, ``auto_now`` fields the current time, nullable ones NULL. Audited
    models get their "created" history rows written the same way, as the current actor.
    Runs inside the caller's transaction: a failure writes nothing of it.

    Loaders that hold arrays should not pay for a model instance per row they never use
    (``tests/bench/bench_copy.py`` measures both ways).
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    known = {f.attname for f in meta.concrete_fields}
    unknown = sorted(set(columns) - known)
    if unknown:
        raise ValueError(f"{meta.label} has no field {', '.join(unknown)}")
    own = [f.attname for f in meta.concrete_fields if not type(f).__module__.startswith("django.")]
    if own:  # only such a field knows how it adapts its value: copy_create asks it
        raise TypeError(f"{meta.label}: fields {', '.join(own)} adapt their own values; "
                        "use copy_create")
    with transaction.atomic():
        _no_timeout()
        return _copy_columns(model, n, columns, progress, reason)


def _no_timeout() -> None:
    """Lift the web's statement timeout for the rest of this transaction: a loader's COPY of
    a million rows runs for minutes by nature (SET LOCAL ends with the transaction)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = 0")


def _copy_columns(model: type[models.Model], n: int, columns: Mapping[str, Any],
                  progress: Callable[[int], None] | None, reason: str) -> np.ndarray:
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, pk.column])
        (sequence,) = cur.fetchone()
        cur.execute("SELECT array_agg(nextval(%s)) FROM generate_series(1, %s)",
                    [sequence, n])
        ids = np.asarray(cur.fetchone()[0], dtype=np.int64)
    text = {pk.attname: ids.astype(str).tolist()}
    for f in meta.concrete_fields:
        if f.attname not in text:
            text[f.attname] = _column_text(f, n, columns.get(f.attname, _MISSING), now)
    _copy_text(meta.db_table, [(str(f.column), text[f.attname]) for f in meta.concrete_fields],
               n, progress)
    if _audited(model):
        history = model.history.model  # type: ignore[attr-defined]
        user = ACTOR.get()
        extra = {
            "history_date": [now.isoformat()] * n,
            "history_type": ["+"] * n,
            "history_change_reason": [_escaped(reason) if reason else "\\N"] * n,
            "history_user_id": [str(user.pk) if user is not None else "\\N"] * n,
        }
        cols = [(str(f.column), text[f.attname]) for f in history.tracked_fields]
        cols += [(column, values) for column, values in extra.items()]
        _copy_text(history._meta.db_table, cols, n, None)
    return ids


_MISSING = object()


@dataclass(frozen=True)
class Same:
    """One value for every row, where a list would read as one value per row (a JSON or
    array field's ``[]``)."""

    value: Any


def _copy_text(table: str, cols: list[tuple[str, list[str]]], n: int,
               progress: Callable[[int], None] | None) -> None:
    """COPY ``n`` rows whose columns are already in COPY's text format."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join([sql.Identifier(c) for c, _ in cols]))
    values = [v for _, v in cols]
    with connection.cursor() as cur, connection.wrap_database_errors, \
            cur.cursor.copy(statement) as copy:
        for start in range(0, n, ROWS_PER_CALLBACK):
            stop = min(n, start + ROWS_PER_CALLBACK)
            rows = zip(*(v[start:stop] for v in values), strict=True)
            copy.write(("\n".join(map("\t".join, rows)) + "\n").encode())
            if progress is not None:
                progress(stop)


def _column_text(field: models.Field[Any, Any], n: int, value: Any, now: Any) -> list[str]:
    """One column's ``n`` values in COPY's text format."""
    if value is _MISSING:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = Same(field.get_default())
        elif field.null:
            value = None
        else:
            raise ValueError(f"{field.model._meta.label}.{field.attname} has no default: "
                             "give it a column")
    if isinstance(value, Same):
        return [_one_text(field, value.value)] * n
    if not isinstance(value, (list, tuple, np.ndarray)):
        return [_one_text(field, value)] * n  # one value for every row
    if len(value) != n:
        raise ValueError(f"{field.attname}: {len(value)} values for {n} rows")
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype == bool:
            return np.where(value, "t", "f").tolist()
        return value.astype(str).tolist()
    if isinstance(field, GeometryField):
        first = next((v for v in value if v is not None), None)
        if isinstance(first, BaseGeometry):  # hex needs no escaping
            return ["\\N" if g is None else h for g, h in zip(
                value, ewkb_hex([g if g is not None else shapely.Point() for g in value],
                                field.srid), strict=True)]
    return [_one_text(field, v) for v in value]


def _one_text(field: models.Field[Any, Any], v: Any) -> str:
    if v is None:
        return "\\N"
    if isinstance(field, GeometryField):
        if isinstance(v, str):
            return _escaped(v)
        if isinstance(v, BaseGeometry):
            return ewkb_hex([v], field.srid)[0]
        return str(v.hexewkb.decode())
    if isinstance(field, models.JSONField):
        return _escaped(json.dumps(v, ensure_ascii=False))
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (list, tuple)):  # an ArrayField of text
        return _escaped("{" + ",".join('"' + str(x).replace("\\", "\\\\")
                                       .replace('"', '\\"') + '"' for x in v) + "}")
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return _escaped(str(v))


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
