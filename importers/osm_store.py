"""Store an OSM extract: network, buildings, compounds, basemap areas, candidate units.

Every layer is synchronised, not appended: rows are matched by OSM id (and, for
the network, by the file they came from), changed rows are updated, missing ones
from the same file deleted. Re-running on the same file therefore changes
nothing. A building or compound whose households were imported as real counts
keeps them; a unit confirmed by staff (not a candidate) is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.gis.geos import GEOSGeometry
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import from_wkb, get_coordinates, wkb
from shapely.geometry.base import BaseGeometry

from geo.analysis.households import HouseholdModel
from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    LandFeature,
    Origin,
    WalkEdge,
    WalkNode,
    audit,
)
from geo.models.base import SRID

from .copyload import copy_create
from .osm import OsmExtract
from .osm_layers import osm_layers
from .parents import ParentTable
from .store import BATCH, same_shape

Step = Callable[[str], None]


@dataclass
class SyncCount:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (f"{self.created:,} created, {self.updated:,} updated, {self.deleted:,} deleted, "
                f"{self.unchanged:,} unchanged")


@dataclass
class OsmImportResult:
    counts: dict[str, SyncCount] = field(default_factory=dict)


def _geos(g: BaseGeometry) -> Any:
    return GEOSGeometry(memoryview(wkb.dumps(g)), srid=SRID)


def _shape_key(g: BaseGeometry) -> bytes:
    """Vertices to 1e-9°: parallel edges of one way between the same nodes differ here."""
    return np.round(get_coordinates(g), 9).tobytes()


def _equal(current: Any, new: Any) -> bool:
    if isinstance(new, GEOSGeometry):
        return current is not None and same_shape(current, new)
    if isinstance(new, models.Model):
        return getattr(current, "pk", None) == new.pk
    return bool(current == new)


def sync(model: type[models.Model], rows: Iterable[tuple[Any, dict[str, Any]]],
         existing: dict[Any, Any], stale: models.QuerySet[Any], source: str,
         keep: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None,
         tracked: bool = True) -> tuple[SyncCount, dict[Any, Any]]:
    """Create, update or delete so that ``model`` holds ``rows`` (key, values).

    ``existing`` maps keys to current objects; ``stale`` holds the rows this file
    wrote earlier, of which those not seen now are deleted; ``keep`` may drop
    values an object must keep (real household counts). Returns the counts and
    the key → object map after the sync.
    """
    count = SyncCount()
    now = timezone.now()
    new, changed, fields_changed = [], [], set()
    seen: dict[Any, Any] = {}
    for key, values in rows:
        obj = existing.get(key)
        if obj is None:
            extra = {"origin": Origin.IMPORTED} if tracked else {}
            obj = model(source=source, **extra, **values)
            new.append(obj)
        else:
            if keep is not None:
                values = keep(obj, values)
            diff = [k for k, v in values.items() if not _equal(getattr(obj, k), v)]
            if diff:
                for k in diff:
                    setattr(obj, k, values[k])
                fields_changed.update(diff)
                if tracked:
                    obj.version += 1
                    obj.updated_at = now
                changed.append(obj)
            else:
                count.unchanged += 1
        seen[key] = obj
    copy_create(model, new, reason="import_osm")  # COPY; history for audited models
    if changed:
        extra_fields = ["version", "updated_at"] if tracked else []
        audit.bulk_update(model, changed, [*sorted(fields_changed), *extra_fields], BATCH,
                          "import_osm")
    kept = {obj.pk for obj in seen.values()}
    count.deleted, _kept = stale.exclude(pk__in=kept).delete()
    count.created, count.updated = len(new), len(changed)
    return count, seen


def _real_counts_win(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    if not obj.households_estimated:
        return {k: v for k, v in values.items()
                if k not in ("households", "households_estimated")}
    return values


def _sync_network(extract: OsmExtract, result: OsmImportResult, tell: Step) -> None:
    """Walk nodes and edges: one network whichever command loaded it.

    Nodes and edges another command made from the same OSM objects (a derived demo) are
    reused, not doubled.
    """
    source = extract.source
    tell(_("路网节点"))
    node_rows = [(int(osm), {"osm_id": int(osm), "geom": _geos(g)})
                 for osm, g in zip(extract.nodes["osm_id"], extract.nodes.geometry,
                                   strict=True)]
    current = WalkNode.objects.filter(osm_id__in=[k for k, _ in node_rows])
    result.counts["walk nodes"], nodes = sync(
        WalkNode, node_rows, {n.osm_id: n for n in current},
        WalkNode.objects.filter(source=source), source, tracked=False)
    tell(_("路网边"))
    edge_rows = []
    for r in extract.edges.itertuples():
        way = int(r.osm_way_id) if r.osm_way_id is not None else None
        key = (way, int(r.u), int(r.v), _shape_key(r.geometry))
        edge_rows.append((key, {"start": nodes[int(r.u)], "end": nodes[int(r.v)],
                                "geom": _geos(r.geometry), "length_m": float(r.length_m),
                                "highway": str(r.highway), "name": str(r.name),
                                "osm_way_id": way}))
    current_e = WalkEdge.objects.filter(
        Q(source=source) | Q(start__in=[n.pk for n in nodes.values()])
    ).select_related("start", "end")
    existing_e = {(e.osm_way_id, e.start.osm_id, e.end.osm_id,
                   _shape_key(from_wkb(bytes(e.geom.wkb)))): e for e in current_e}
    result.counts["walk edges"], _synced = sync(WalkEdge, edge_rows, existing_e,
                                          WalkEdge.objects.filter(source=source), source,
                                          tracked=False)


def _community_finder() -> Callable[[BaseGeometry], Community | None]:
    """The community holding a shape (by its representative point), for placing rows."""
    comms = list(Community.objects.all())
    table = ParentTable([c.code for c in comms], [c.name for c in comms],
                        ["" for _ in comms], [from_wkb(bytes(c.geom.wkb)) for c in comms]) \
        if comms else None

    def community_of(g: BaseGeometry) -> Community | None:
        i = table.by_location(g) if table is not None else None
        return comms[i] if i is not None else None
    return community_of


def _sync_housing(layers: Any, source: str, result: OsmImportResult, tell: Step) -> None:
    """Compounds, then buildings placed in them and in their communities."""
    community_of = _community_finder()
    tell(_("小区"))
    comp_rows = [(c.osm_id, {"osm_id": c.osm_id, "name": c.name, "geom": _geos(c.geom),
                             "households": c.households, "households_estimated": True,
                             "community": community_of(c.geom)})
                 for c in layers.compounds]
    ids = [c.osm_id for c in layers.compounds]
    existing_c = {c.osm_id: c for c in Compound.objects.filter(osm_id__in=ids)}
    result.counts["compounds"], compounds = sync(
        Compound, comp_rows, existing_c,
        Compound.objects.filter(source=source, origin=Origin.IMPORTED), source,
        keep=_real_counts_win)
    comp_table = ParentTable([str(k) for k in compounds], ["" for _ in compounds],
                             ["" for _ in compounds],
                             [from_wkb(bytes(c.geom.wkb)) for c in compounds.values()])
    comp_objs = list(compounds.values())
    tell(_("楼栋"))
    b_rows = []
    for b in layers.buildings:
        ci = comp_table.by_location(b.geom) if len(comp_table) else None
        b_rows.append((b.osm_id, {
            "osm_id": b.osm_id, "name": b.name, "geom": _geos(b.geom), "levels": b.levels,
            "residential": b.residential, "households": b.households,
            "households_estimated": True, "community": community_of(b.geom),
            "compound": comp_objs[ci] if ci is not None else None}))
    ids = [b.osm_id for b in layers.buildings]
    existing_b = {b.osm_id: b for b in Building.objects.filter(osm_id__in=ids)}
    result.counts["buildings"], _synced = sync(
        Building, b_rows, existing_b,
        Building.objects.filter(source=source, origin=Origin.IMPORTED), source,
        keep=_real_counts_win)


def _sync_land_and_candidates(layers: Any, source: str, result: OsmImportResult,
                              tell: Step) -> None:
    """Basemap areas, and candidate co-building units (confirmed ones are left alone)."""
    tell(_("底图面"))
    land_rows = [((r.osm_type, r.osm_id), {"osm_type": r.osm_type, "osm_id": r.osm_id,
                                           "kind": r.kind, "name": r.name,
                                           "geom": _geos(r.geom)})
                 for r in layers.land]
    current_l = LandFeature.objects.filter(source=source)
    result.counts["basemap areas"], _synced = sync(
        LandFeature, land_rows, {(f.osm_type, f.osm_id): f for f in current_l}, current_l,
        source, tracked=False)
    tell(_("候选共建单位"))
    ids = [c.osm_id for c in layers.candidates]
    confirmed = set(CoBuildingUnit.objects.filter(osm_id__in=ids, candidate=False)
                    .values_list("osm_id", flat=True))
    u_rows = [(c.osm_id, {"osm_id": c.osm_id, "name": c.name, "unit_type": c.unit_type,
                          "location": _geos(c.location), "candidate": True})
              for c in layers.candidates if c.osm_id not in confirmed]
    existing_u = {u.osm_id: u for u in CoBuildingUnit.objects.filter(osm_id__in=ids,
                                                                     candidate=True)}
    result.counts["candidate units"], _synced = sync(
        CoBuildingUnit, u_rows, existing_u,
        CoBuildingUnit.objects.filter(source=source, candidate=True), source)


def store_osm(extract: OsmExtract, model: HouseholdModel | None = None,
              step: Step | None = None) -> OsmImportResult:
    """Synchronise the database with ``extract`` in one transaction."""
    tell = step or (lambda label: None)
    layers = osm_layers(extract, model)
    result = OsmImportResult()
    with transaction.atomic():
        _sync_network(extract, result, tell)
        _sync_housing(layers, extract.source, result, tell)
        _sync_land_and_candidates(layers, extract.source, result, tell)
    return result
