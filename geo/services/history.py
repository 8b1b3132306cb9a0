"""Per-object audit history (django-simple-history) and reverting to an earlier record."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import (
    CoBuildingUnit,
    Community,
    District,
    GridUnit,
    Pairing,
    ServiceCenter,
    Street,
)

AUDITED: dict[str, type[Model]] = {
    "districts": District, "streets": Street, "communities": Community, "grids": GridUnit,
    "centers": ServiceCenter, "units": CoBuildingUnit, "pairings": Pairing,
}
_KINDS = {"+": "created", "~": "changed", "-": "deleted"}
_NOT_RESTORED = {"id", "version", "created_at", "updated_at"}


class RevertRefused(ValueError):
    """A revert that would break a rule; the message says what to do instead."""


def _plain(value: Any) -> Any:
    if isinstance(value, GEOSGeometry):
        return json.loads(value.geojson)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def object_history(model: Any, pk: int, limit: int = 200) -> list[dict[str, Any]]:
    """Every record of one object, newest first, with the fields each change touched.

    ``before``/``after`` hold the old and new value of each changed field; geometries are
    GeoJSON, so a boundary's change can be drawn.
    """
    records = list(model.history.filter(id=pk)
                   .select_related("history_user").order_by("-history_date", "-history_id")
                   [:limit + 1])
    out = []
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = rec.diff_against(prev).changes if prev is not None else []
        out.append({
            "history_id": rec.history_id,
            "at": timezone.localtime(rec.history_date).isoformat(),
            "user": rec.history_user.get_username() if rec.history_user else None,
            "kind": _KINDS.get(rec.history_type, rec.history_type),
            "reason": rec.history_change_reason or "",
            "version": getattr(rec, "version", None),
            "changed": [c.field for c in changes],
            "before": {c.field: _plain(c.old) for c in changes},
            "after": {c.field: _plain(c.new) for c in changes},
        })
    return out


def record_of(model: Any, pk: int, history_id: int) -> Any:
    """The history record ``history_id`` of object ``pk`` (DoesNotExist when it is not one)."""
    return model.history.get(id=pk, history_id=history_id)


def revert_to(model: Any, pk: int, record: Any, based_on: int | None,
              user: Any) -> Model:
    """Restore the object to ``record`` as a new version (itself recorded as a revert).

    Raises StaleVersion when the object changed since the user looked (``based_on``), and
    RevertRefused for grids (their changesets revert several grids together, keeping the
    community tiled) and for deletion records.
    """
    if model is GridUnit:
        raise RevertRefused(_("网格请在网格编辑器（/plan/）中按变更撤销，以保证网格完整覆盖社区"))
    if record.history_type == "-":
        raise RevertRefused(_("这条记录是删除，请选择删除之前的记录"))
    reason = _("撤销至记录 #%(id)s") % {"id": record.history_id}
    obj: Any = model._default_manager.filter(pk=pk).first()
    restore = obj is None  # deleted since: bring it back as it was
    if restore:
        obj = record.instance
        latest = model.history.filter(id=pk).order_by("-history_id").first()
        obj.version = (getattr(latest, "version", 0) or 0) + 1
    else:
        for field in model._meta.concrete_fields:
            if field.name not in _NOT_RESTORED:
                setattr(obj, field.attname, getattr(record, field.attname))
    obj._history_user = user
    obj._change_reason = reason
    if restore:
        obj.save(force_insert=True)
    else:
        obj.save_if_current(based_on)  # locks the row; StaleVersion when it moved on
    return obj
