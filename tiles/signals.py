"""Invalidate exactly the cached tiles an edit touches, before and after the change.

The bounding boxes of the changed rows are read from the database before a save or delete
(the old state) and after a save (the new state); the cache is invalidated for both once the
transaction commits, so no tile rendered from the old state survives. Derived attributes
count too: a service center changes its community's facility ratio and its pairing lines.
Bulk writes (imports, the demo) bypass signals and clear whole layers instead
(:func:`clear_layers`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    LandFeature,
    Pairing,
    ServiceCenter,
    Street,
    WalkEdge,
)
from geo.models.tables import sql
from geo.signals import data_changed

from .cache import BBox, tile_cache

_PAIR_LINES = sql("""SELECT ST_Collect(u.location, c.geom) FROM {Pairing} p
                 JOIN {CoBuildingUnit} u ON u.id = p.unit_id
                 JOIN {Community} c ON c.id = p.community_id WHERE {where}""")

# For each model, the layers it appears in and the geometries whose extent they cover.
_AFFECTS: dict[type[Model], list[tuple[str, str]]] = {
    District: [("districts", sql("SELECT geom FROM {District} WHERE id = %s")),
               ("places", sql("SELECT geom FROM {District} WHERE id = %s"))],
    Street: [("streets", sql("SELECT geom FROM {Street} WHERE id = %s")),
             ("places", sql("SELECT geom FROM {Street} WHERE id = %s"))],
    Community: [("communities", sql("SELECT geom FROM {Community} WHERE id = %s")),
                ("places", sql("SELECT geom FROM {Community} WHERE id = %s")),
                ("pairings", _PAIR_LINES.format(where="c.id = %s"))],
    GridUnit: [("grids", sql("SELECT geom FROM {GridUnit} WHERE id = %s"))],
    ServiceCenter: [
        ("centers", sql("SELECT location FROM {ServiceCenter} WHERE id = %s")),
        ("places", sql("SELECT location FROM {ServiceCenter} WHERE id = %s")),
        ("communities", sql("""SELECT c.geom FROM {Community} c JOIN {ServiceCenter} s
                           ON s.community_id = c.id WHERE s.id = %s""")),
        ("pairings", _PAIR_LINES.format(
            where=sql("c.id = (SELECT community_id FROM {ServiceCenter} WHERE id = %s)"))),
    ],
    CoBuildingUnit: [("units", sql("SELECT location FROM {CoBuildingUnit} WHERE id = %s")),
                     ("pairings", _PAIR_LINES.format(where="u.id = %s"))],
    Pairing: [("pairings", _PAIR_LINES.format(where="p.id = %s"))],
    Building: [("buildings", sql("SELECT geom FROM {Building} WHERE id = %s"))],
    Compound: [("compounds", sql("SELECT geom FROM {Compound} WHERE id = %s"))],
    WalkEdge: [("roads", sql("SELECT geom FROM {WalkEdge} WHERE id = %s"))],
    LandFeature: [("water", sql("SELECT geom FROM {LandFeature} WHERE id = %s")),
                  ("landuse", sql("SELECT geom FROM {LandFeature} WHERE id = %s"))],
}


def boxes_of(model: type[Model], pk: Any) -> list[tuple[str, BBox]]:
    """(layer, WGS84 bbox) of every tile layer the row ``pk`` of ``model`` is drawn in."""
    out = []
    with connection.cursor() as cur:
        for layer, query in _AFFECTS[model]:
            cur.execute(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                        f"FROM (SELECT ST_Extent(g) AS e FROM ({query}) AS s(g)) AS x", [pk])
            row = cur.fetchone()
            if row and row[0] is not None:
                out.append((layer, (float(row[0]), float(row[1]), float(row[2]),
                                    float(row[3]))))
    return out


def _invalidate_on_commit(found: list[tuple[str, BBox]]) -> None:
    if not found:
        return

    def run() -> None:
        store = tile_cache()
        by_layer: dict[str, list[BBox]] = {}
        for layer, box in found:
            by_layer.setdefault(layer, []).append(box)
        for layer, boxes in by_layer.items():
            store.invalidate(layer, boxes)

    transaction.on_commit(run)


def _before(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is not None and not kwargs.get("raw"):
        setattr(instance, "_tile_boxes_before", boxes_of(sender, instance.pk))  # noqa: B010


def _after_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, "_tile_boxes_before", [])
    _invalidate_on_commit(before + boxes_of(sender, instance.pk))


def _after_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    _invalidate_on_commit(getattr(instance, "_tile_boxes_before", []))


def clear_layers(*layers: str) -> None:
    """Drop the whole cache of ``layers`` (all layers when none are named), after commit."""
    def run() -> None:
        store = tile_cache()
        if layers:
            for name in layers:
                store.clear(name)
        else:
            store.clear()
    transaction.on_commit(run)


for _model in _AFFECTS:
    pre_save.connect(_before, sender=_model, dispatch_uid=f"tiles-pre-{_model.__name__}")
    pre_delete.connect(_before, sender=_model, dispatch_uid=f"tiles-pred-{_model.__name__}")
    post_save.connect(_after_save, sender=_model, dispatch_uid=f"tiles-post-{_model.__name__}")
    post_delete.connect(_after_delete, sender=_model,
                        dispatch_uid=f"tiles-postd-{_model.__name__}")


def _on_data_changed(sender: Any, layers: tuple[str, ...] | None = None, **kwargs: Any) -> None:
    clear_layers(*(layers or ()))


data_changed.connect(_on_data_changed, dispatch_uid="tiles-data-changed")
