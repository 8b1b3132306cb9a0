"""Undo a whole import: the log the writer keeps, and replaying it backwards.

The writer records one entry per row it touched: ``created`` (model, pk, version after),
``changed`` (model, pk, version after, the changed fields' values before) and
``recoded`` (a child whose code followed its parent's new code). Undo refuses, naming the
rows, when any of them changed since (its version moved on, or it was deleted), or when
deleting a created row would take or detach rows made later (grids drawn inside an
imported community, buildings of a later import): those must be undone or moved first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import audit
from geo.signals import announce

Entry = dict[str, Any]


def label(model: type[models.Model]) -> str:
    return str(model._meta.label_lower)


def dump_value(obj: models.Model, name: str) -> Any:
    """A field's current value as JSON (geometries as hex EWKB, dates ISO, FKs by id)."""
    f = obj._meta.get_field(name)
    value = getattr(obj, getattr(f, "attname", name))
    if isinstance(value, GEOSGeometry):
        return value.hexewkb.decode() if isinstance(value.hexewkb, bytes) else value.hexewkb
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def load_value(model: type[models.Model], name: str, raw: Any) -> Any:
    """The inverse of :func:`dump_value` for ``model.name``."""
    f = model._meta.get_field(name)
    if raw is None:
        return None
    if isinstance(f, GeometryField):
        return GEOSGeometry(raw)
    if isinstance(f, models.DateTimeField):
        return dt.datetime.fromisoformat(raw)
    if isinstance(f, models.DateField):
        return dt.date.fromisoformat(raw)
    return raw


def created(obj: models.Model) -> Entry:
    return {"op": "created", "model": label(type(obj)), "pk": obj.pk,
            "version": getattr(obj, "version", None)}


def changed(obj: models.Model, before: dict[str, Any]) -> Entry:
    return {"op": "changed", "model": label(type(obj)), "pk": obj.pk,
            "version": getattr(obj, "version", None), "before": before}


def recoded(obj: Any, old: str) -> Entry:
    return {"op": "recoded", "model": label(type(obj)), "pk": obj.pk, "code": obj.code,
            "before": {"code": old}}


class UndoConflict(Exception):
    """Rows changed since the import; ``rows`` says which and how."""

    def __init__(self, rows: list[str]) -> None:
        super().__init__(f"{len(rows)} rows changed since the import")
        self.rows = rows


def _conflicts(entries: list[Entry], current: dict[tuple[str, Any], Any]) -> list[str]:
    out = []
    for e in entries:
        obj = current.get((e["model"], e["pk"]))
        if obj is None:
            if e["op"] != "created":  # a created row someone deleted is already undone
                out.append(_("%(model)s #%(pk)s 在导入之后已被删除") % {
                    "model": e["model"], "pk": e["pk"]})
            continue
        if e["op"] == "recoded":
            if obj.code != e["code"]:
                out.append(_("%(obj)s 在导入之后已被改码") % {"obj": obj})
        elif e["version"] is not None and obj.version != e["version"]:
            out.append(_("%(obj)s 在导入之后已被修改（版本 %(old)s → %(new)s）") % {
                "obj": obj, "old": e["version"], "new": obj.version})
    return out


def _others_touched(collector: Collector, model: type[models.Model],
                    mine: set[Any]) -> list[str]:
    """What, besides ``mine``, deleting the collected rows would delete or detach."""
    out: list[str] = []
    for dep_model, instances in collector.data.items():
        others = [o for o in instances if dep_model is not model or o.pk not in mine]
        if others:
            out.append(_("导入之后新建的 %(n)s 条%(model)s位于其记录中（例如 %(example)s）："
                         "请先撤销或移走它们") % {
                "n": len(others), "model": dep_model._meta.verbose_name_plural,
                "example": others[0]})
    for qs in collector.fast_deletes:
        n = qs.count()
        if n:
            out.append(_("导入之后新建的 %(n)s 条%(model)s会随之被删除：请先撤销或移走它们") % {
                "n": n, "model": qs.model._meta.verbose_name_plural})
    for (fld, _value), rows in collector.field_updates.items():
        n = 0
        for r in rows:
            n += r.count() if isinstance(r, models.QuerySet) else len(r)  # type: ignore[arg-type]
        if n:
            out.append(_("%(n)s 条%(model)s通过 %(field)s 引用其记录：请先撤销后来的导入") % {
                "n": n, "model": fld.model._meta.verbose_name_plural, "field": fld.name})
    return out


def _delete_created(doomed: list[models.Model], reason: str) -> list[str]:
    """Delete the rows an import created, children first; say what else that would touch.

    One model at a time in the log's reverse order (communities, then the streets and
    districts made for them): by the time a street is collected, its imported communities
    are gone, so whatever still refers to it was made later and is reported instead.
    """
    out: list[str] = []
    groups: list[list[models.Model]] = []
    for obj in reversed(doomed):
        if groups and type(groups[-1][0]) is type(obj):
            groups[-1].append(obj)
        else:
            groups.append([obj])
    for objs in groups:
        model = type(objs[0])
        mine = {o.pk for o in objs}
        collector = Collector(using=router.db_for_write(model))
        try:
            collector.collect(objs)
        except (ProtectedError, RestrictedError) as exc:
            others = list(getattr(exc, "protected_objects", None)
                          or getattr(exc, "restricted_objects", []))
            out.append(_("导入之后新建的 %(n)s 条记录依赖其%(model)s（例如 %(example)s）："
                         "请先撤销或移走它们") % {
                "n": len(others), "model": model._meta.verbose_name_plural,
                "example": others[0]})
            continue
        out += _others_touched(collector, model, mine)
        if not out:  # nothing but our own rows: batched deletes, one history record each
            audit.bulk_delete(model, objs, reason)
    return out


def undo_entries(entries: list[Entry], reason: str) -> dict[str, int]:
    """Replay ``entries`` backwards in one transaction; raise UndoConflict and change nothing.

    Returns counts: deleted, restored, recoded.
    """
    counts = {"deleted": 0, "restored": 0, "recoded": 0}
    with transaction.atomic():
        current: dict[tuple[str, Any], Any] = {}
        by_model: dict[str, list[Any]] = {}
        for e in entries:
            by_model.setdefault(e["model"], []).append(e["pk"])
        for name, pks in by_model.items():
            model = apps.get_model(name)
            for obj in model._default_manager.select_for_update().filter(pk__in=pks):
                current[(name, obj.pk)] = obj
        problems = _conflicts(entries, current)
        if problems:
            raise UndoConflict(problems)
        now = timezone.now()
        for e in reversed(entries):
            obj = current.get((e["model"], e["pk"]))
            if obj is None or e["op"] == "created":
                continue
            model = type(obj)
            fields = list(e["before"])
            for name in fields:
                setattr(obj, model._meta.get_field(name).attname,
                        load_value(model, name, e["before"][name]))
            extra = []
            if e["op"] == "changed":
                obj.version += 1
                obj.updated_at = now
                extra = ["version", "updated_at"]
            audit.bulk_update(model, [obj], [model._meta.get_field(n).attname
                                             for n in fields] + extra, None, reason)
            counts["restored" if e["op"] == "changed" else "recoded"] += 1
        doomed = [current[(e["model"], e["pk"])] for e in entries
                  if e["op"] == "created" and (e["model"], e["pk"]) in current]
        problems = _delete_created(doomed, reason)
        if problems:  # leaving the block rolls back the restores and deletions above
            raise UndoConflict(problems)
        counts["deleted"] = len(doomed)
    return counts


def undo_run(run: Any, user: Any) -> dict[str, int]:
    """Undo a recorded import (an ``ImportRun``) as ``user``: claim it, replay, record.

    Raises ImportBusy when the run is not an imported one, UndoConflict (the run stays
    imported, nothing changed) when rows changed since.
    """
    run.begin_undo()
    try:
        with audit.acting_as(user):
            counts = undo_entries(run.undo_log, f"undo import #{run.pk} {run.file_name}")
    except BaseException:
        run.finish_undo(user, done=False)
        raise
    run.finish_undo(user, done=True)
    announce()
    return counts
