"""Write prepared records to the database: parents, codes, matching, all or nothing.

Rows match existing ones by code (statistical code for the hierarchy, external
code otherwise); rows without a code match by OSM id, by name under the same
parent, or (members) by ID number or name and phone. A hierarchy row without a
code gets a provisional code under its parent; a later row with the real code
and the same name under the same parent replaces it, and the codes of the
children (streets → communities → grids) follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import from_wkb
from shapely.geometry.base import BaseGeometry

from geo.analysis.codes import CodeError, check_code
from geo.analysis.projection import geodesic_matrix
from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Origin,
    ReportingMember,
    ServiceCenter,
    Street,
    audit,
)
from geo.roles import covers
from geo.services.text import say

from . import undo as undo_log
from .dbwrite import free_code, geos
from .dissolve import as_multipolygon, part_distance_m
from .fields import LEVEL_OF, kind_noun
from .footprints import FootprintIndex
from .match_keys import HIERARCHY_PARENT, row_keys, stored_keys
from .parents import ParentTable
from .parents_store import ParentsMade, create_parents
from .prepare import Prepared, Problem, Record

Progress = Callable[[int], None]
MODELS: dict[str, type[models.Model]] = {
    "districts": District, "streets": Street, "communities": Community, "grids": GridUnit,
    "centers": ServiceCenter, "units": CoBuildingUnit, "buildings": Building,
    "compounds": Compound, "members": ReportingMember,
}
# Plain attributes copied as they are, per kind.
PLAIN = {
    "districts": ("name",),
    "streets": ("name",),
    "communities": ("name", "households", "population", "party_members", "area_class"),
    "grids": ("name", "households", "zone_type", "leader", "workers", "party_branch",
              "households_estimated"),
    "centers": ("code", "name", "level", "floor_area", "opening_hours", "services", "phone",
                "address", "licensed", "comprehensive"),
    "units": ("code", "name", "unit_type", "party_members", "capacity", "address", "phone",
              "candidate"),
    "buildings": ("code", "name", "levels", "households", "residential", "osm_id",
                  "households_estimated"),
    "compounds": ("code", "name", "households", "osm_id", "households_estimated"),
    "members": ("name", "phone", "id_number", "reported_on"),
}
BATCH = 2000
# An update that moves a row farther than this is refused unless --allow-move.
MAX_MOVE_M = 1000.0
# Coordinates closer than this (about 1 mm) are the same: GCJ-02 round trips land within 1e-9°.
SAME_DEG = 1e-8


@dataclass
class ImportResult:
    """What an import did (or, dry-run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    provisional: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    how_parents: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parents: ParentsMade | None = None  # what --create-parents made
    undo: list[undo_log.Entry] = field(default_factory=list)  # replayed by undo_log.undo_entries


# The row a record belongs under; updating a row so it lands under another is a move.
PARENT_FK = {"streets": "district", "communities": "street", "grids": "community",
             "buildings": "community", "compounds": "community", "centers": "community"}


SCOPE_FK = {"streets": "district", "communities": "street", "grids": "community"}


def _table(kind: str) -> tuple[ParentTable, list[Any]]:
    """Rows of a hierarchy level as a ParentTable and the model objects."""
    fk = SCOPE_FK.get(kind)
    qs = MODELS[kind]._default_manager.all()
    rows: list[Any] = list(qs.select_related(fk) if fk else qs)
    table = ParentTable(
        codes=[r.code for r in rows], names=[r.name for r in rows],
        scope_names=[getattr(r, fk).name if fk else "" for r in rows],
        geoms=[from_wkb(bytes(r.geom.wkb)) for r in rows],
    )
    return table, rows


@dataclass
class _Plan:
    """The matching state of one run: stored rows by key, and the rows planned so far."""

    existing: list[Any]
    position: dict[Any, int]  # stored row pk → index in ``existing``
    footprints: FootprintIndex | None = None
    index: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    provisional_names: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    planned: list[tuple[Record, dict[str, Any], Any]] = field(default_factory=list)
    claimed: set[Any] = field(default_factory=set)
    claimed_at: set[int] = field(default_factory=set)  # the same rows, by position
    planned_keys: dict[tuple[Any, ...], int] = field(default_factory=dict)
    planned_at: dict[tuple[Any, ...], int] = field(default_factory=dict)  # name key → planned


class _Writer:
    """One import run; collects problems, then writes only if allowed."""

    def __init__(self, prepared: Prepared, source: str) -> None:
        self.p = prepared
        self.kind = prepared.kind
        self.model = MODELS[self.kind]
        self.source = source
        self.problems: list[Problem] = list(prepared.problems)
        self.result = ImportResult()
        self._tables: dict[str, tuple[ParentTable, list[Any]]] = {}
        self._used: dict[str, set[int]] = {}

    def table(self, kind: str) -> tuple[ParentTable, list[Any]]:
        if kind not in self._tables:
            self._tables[kind] = _table(kind)
        return self._tables[kind]

    def problem(self, rec: Record, fld: str, code: str, message: str) -> None:
        self.problems.append(Problem(rec.row, fld, code, message))

    def parent(self, rec: Record, kind: str, code_t: str, name_t: str, scope_t: str | None,
               required: bool, label: str) -> Any | None:
        table, rows = self.table(kind)
        v = rec.values
        i, how = table.match(v.get(code_t), v.get(name_t), v.get(scope_t) if scope_t else None,
                             rec.geom)
        if i is None:
            if required:
                self.problem(rec, code_t if v.get(code_t) else name_t, "no_parent",
                             _("%(what)s：%(why)s") % {"what": label, "why": how})
            return None
        self.result.how_parents[how] = self.result.how_parents.get(how, 0) + 1
        return rows[i]

    # ---- per-kind assignment -------------------------------------------------------------
    def assign(self, rec: Record) -> dict[str, Any] | None:
        """Model field values for ``rec`` (None when the row has a problem)."""
        v, kind = rec.values, self.kind
        out: dict[str, Any] = {k: v[k] for k in PLAIN[kind] if v.get(k) is not None}
        before = len(self.problems)
        if kind in LEVEL_OF or kind in ("compounds", "buildings"):
            out["geom"] = rec.geom
        if kind in HIERARCHY_PARENT:
            pkind, fk, code_t, name_t, scope_t = HIERARCHY_PARENT[kind]
            parent = self.parent(rec, pkind, code_t, name_t, scope_t, True,
                                 _("找不到上级%(kind)s") % {"kind": kind_noun(pkind)})
            if parent is not None:
                out[fk] = parent
        if kind == "grids" and v.get("households") is not None:
            out["households_estimated"] = bool(v.get("households_estimated"))
        if kind in ("centers", "units"):
            out.update(self._placed(rec))
        if kind == "centers":
            out.update(self._center_parents(rec))
        if kind in ("buildings", "compounds"):
            out.update(self._footprint_parents(rec))
        if kind == "members":
            out.update(self._member_links(rec))
        return out if len(self.problems) == before else None

    @staticmethod
    def _placed(rec: Record) -> dict[str, Any]:
        """A point and, for a drawn outline, the footprint (centers and units)."""
        out: dict[str, Any] = {"location": rec.geom if rec.geom.geom_type == "Point"
                               else rec.geom.representative_point()}
        if rec.geom.geom_type == "Polygon":
            out["footprint"] = rec.geom
        return out

    def _center_parents(self, rec: Record) -> dict[str, Any]:
        """A center's community (when named) and street (named, the community's, or found)."""
        v = rec.values
        community = self.parent(rec, "communities", "community_code", "community_name",
                                "street_name", bool(v.get("community_code")
                                                    or v.get("community_name")),
                                _("找不到社区"))
        if v.get("street_code") or v.get("street_name"):
            street = self.parent(rec, "streets", "street_code", "street_name", None, True,
                                 _("找不到街道"))
        elif community is not None:
            street = community.street
        else:
            street = self.parent(rec, "streets", "street_code", "street_name", None, False, "")
        return {"community": community, "street": street}

    def _footprint_parents(self, rec: Record) -> dict[str, Any]:
        """A building's or compound's community, estimate flag and (buildings) compound."""
        v = rec.values
        out: dict[str, Any] = {"community": self.parent(
            rec, "communities", "community_code", "community_name", None,
            bool(v.get("community_code") or v.get("community_name")), _("找不到社区"))}
        if v.get("households") is not None:
            out["households_estimated"] = bool(v.get("households_estimated"))
        if self.kind == "buildings" and v.get("compound_name"):
            out["compound"] = self.compound_named(rec, v["compound_name"])
        return out

    def _member_links(self, rec: Record) -> dict[str, Any]:
        """A member's residence community, the community reported to, and home unit."""
        v = rec.values
        out: dict[str, Any] = {
            "residence": rec.geom,
            "residence_community": self.parent(rec, "communities", "", "", None, False, "")}
        if v.get("reported_community_code") or v.get("reported_community_name"):
            out["reported_community"] = self.parent(
                rec, "communities", "reported_community_code", "reported_community_name",
                None, True, _("找不到报到社区"))
        if v.get("home_unit"):
            unit = CoBuildingUnit.objects.filter(name=v["home_unit"]).first()
            if unit is None:
                self.problem(rec, "home_unit", "no_unit", _(
                    "没有名为 %(name)s 的共建单位；请先导入共建单位") % {"name": v["home_unit"]})
            out["home_unit"] = unit
        return out

    def compound_named(self, rec: Record, name: str) -> Compound | None:
        found = list(Compound.objects.filter(name=name)[:2])
        if len(found) == 1:
            return found[0]
        point = geos(rec.geom.representative_point())
        match = Compound.objects.filter(name=name, geom__intersects=point).first() \
            if found else None
        if match is None:
            self.problem(rec, "compound_name", "no_compound",
                         (_("此处没有名为 %(name)s 的小区") if found else
                          _("没有名为 %(name)s 的小区")) % {"name": name})
        return match

    def outside_scope(self, planned: list[tuple[Record, dict[str, Any], Any]],
                      scope: str | None) -> bool:
        """Record a problem for every row placed outside ``scope`` (None: no check)."""
        if scope is None:
            return False
        found = False
        for rec, values, target in planned:
            code = row_code(self.kind, values, target)
            if not covers(scope, code):
                found = True
                self.problem(rec, "code", "out_of_scope",
                             _("%(code)s 不在您的工作范围 %(scope)s 内") % {
                                 "code": code or _("全市"), "scope": scope or _("全市")})
        return found

    def run(self, *, dry_run: bool, skip_invalid: bool, progress: Progress | None,
            scope: str | None = None, allow_move: bool = False) -> ImportResult:
        plan = self._index_existing()
        for n, rec in enumerate(self.p.records):
            if progress and n % 500 == 0:
                progress(n)
            self._plan_row(plan, rec, allow_move)
        if progress:
            progress(len(self.p.records))
        outside = self.outside_scope(plan.planned, scope)
        self.result.problems = sorted(self.problems, key=lambda p: (p.row or 0, p.field))
        # Rows outside the importing user's scope refuse the whole file, --skip-invalid or not.
        if (self.result.problems and not skip_invalid) or outside:
            return self.result
        with transaction.atomic():
            self.write(plan.planned)
            if dry_run:
                transaction.set_rollback(True)
        self.result.written = not dry_run
        return self.result

    def _index_existing(self) -> _Plan:
        """The rows already stored, by every key a file row may match them on."""
        existing: list[Any] = list(self.model._default_manager.all())
        plan = _Plan(existing=existing, position={o.pk: i for i, o in enumerate(existing)})
        if self.kind in ("buildings", "compounds"):
            plan.footprints = FootprintIndex([from_wkb(bytes(o.geom.wkb)) for o in existing])
        for obj in existing:
            for key in stored_keys(self.kind, obj):
                plan.index.setdefault(key, obj)
            if getattr(obj, "code_provisional", False):
                fk = HIERARCHY_PARENT[self.kind][1]
                plan.provisional_names[("provisional-name", getattr(obj, f"{fk}_id"),
                                        obj.name)] = obj
        return plan

    def _plan_row(self, plan: _Plan, rec: Record, allow_move: bool) -> None:
        """Add ``rec`` to the plan with the stored row it updates, or record why not."""
        values = self.assign(rec)
        if values is None:
            return
        values.update({k: v for k, v in rec.values.items() if k == "code" and v})
        keys = row_keys(self.kind, values)
        first = keys[0] if keys else None
        if first is not None and first[0] == "name" and first in plan.planned_at and \
                self.kind in LEVEL_OF:
            self.merge_part(rec, values, plan.planned[plan.planned_at[first]])
            return
        if first is not None and first in plan.planned_keys:
            self.problem(rec, {"code": "code", "geom": "geometry"}.get(first[0], "name"),
                         "duplicate_row",
                         _("与第 %(row)s 行是同一个%(kind)s") % {
                             "row": plan.planned_keys[first], "kind": kind_noun(self.kind)})
            return
        if first is not None:
            plan.planned_keys[first] = rec.row
        target = self._stored_match(plan, keys, values)
        if target is not None and not allow_move and (
                self.moved_far(rec, values, target) or self.left_parent(rec, values, target)):
            return
        if target is not None and target.pk in plan.claimed:
            self.problem(rec, "code", "duplicate_row", _(
                "与本文件前面的一行对应同一条已有记录（%(target)s）") % {"target": target})
            return
        if target is not None:
            plan.claimed.add(target.pk)
            plan.claimed_at.add(plan.position[target.pk])
        if self.kind in LEVEL_OF and not self.code_ok(rec, values, target):
            return
        if first is not None and first[0] == "name":
            plan.planned_at[first] = len(plan.planned)
        plan.planned.append((rec, values, target))

    def _stored_match(self, plan: _Plan, keys: list[tuple[Any, ...]],
                      values: dict[str, Any]) -> Any | None:
        """The stored row a file row names by its keys, else (footprints) by its outline."""
        for key in keys:
            target = plan.provisional_names.get(key) if key[0] == "provisional-name" \
                else plan.index.get(key)
            if target is not None:
                return target
        if plan.footprints is not None and not values.get("code") and \
                values.get("osm_id") is None:
            hit = plan.footprints.same_as(values["geom"], plan.claimed_at)
            return plan.existing[hit] if hit is not None else None
        return None

    def moved_far(self, rec: Record, values: dict[str, Any], target: Any) -> bool:
        """Record a problem when updating ``target`` would move it more than MAX_MOVE_M.

        A wrong coordinate system moves a whole file by kilometres (a wrong Gauss–Krüger
        zone by hundreds); such an update is refused unless the steward says it is meant.
        """
        name = "location" if self.kind in ("centers", "units") else "geom"
        new, old = values.get(name), getattr(target, name, None)
        if new is None or old is None:
            return False
        a = from_wkb(bytes(old.wkb)).representative_point()
        b = new.representative_point() if isinstance(new, BaseGeometry) else \
            from_wkb(bytes(new.wkb)).representative_point()
        metres = float(geodesic_matrix([[a.x, a.y]], [[b.x, b.y]])[0, 0])
        if metres <= MAX_MOVE_M:
            return False
        self.problem(rec, "geometry", "moved_far", _(
            "将把 %(target)s 移动 %(m)s 米（超过 %(max)s 米）：请检查坐标系（--crs）；"
            "如确需移动，请加 --allow-move 重新导入") % {
                "target": target, "m": f"{metres:,.0f}", "max": f"{MAX_MOVE_M:,.0f}"})
        return True

    def merge_part(self, rec: Record, values: dict[str, Any],
                   first: tuple[Record, dict[str, Any], Any]) -> None:
        """Join a second polygon of the same name under the same parent to the first row.

        Open data lists a community in two parts (养志社区, 845 m apart) as two rows; it is
        one community with a MultiPolygon, not a duplicate to drop.
        """
        first_rec, first_values, _target = first
        gap = part_distance_m(first_values["geom"], values["geom"])
        first_values["geom"] = as_multipolygon(first_values["geom"].union(values["geom"]))
        parts = len(first_values["geom"].geoms)
        self.result.notes.append(_(
            "第 %(row)s 行：%(name)s 是第 %(first)s 行的另一部分（同名、同上级，相距 %(gap)s 米）："
            "作为一个含 %(parts)s 部分的%(kind)s导入") % {
                "row": rec.row, "name": values["name"], "first": first_rec.row,
                "gap": f"{gap:,.0f}", "parts": parts, "kind": kind_noun(self.kind)})

    def left_parent(self, rec: Record, values: dict[str, Any], target: Any) -> bool:
        """Record a problem when updating ``target`` would put it under another parent."""
        fk = PARENT_FK.get(self.kind)
        new = values.get(fk) if fk else None
        if fk is None or new is None:
            return False
        old_id = getattr(target, f"{fk}_id")
        if old_id is None or old_id == new.pk:
            return False
        self.problem(rec, fk, "leaves_parent", _(
            "将把 %(target)s 从 %(old)s 移到 %(new)s：请检查坐标系（--crs）和上级列；"
            "如确需移动，请加 --allow-move 重新导入") % {
                "target": target, "old": getattr(target, fk), "new": new})
        return True

    def code_ok(self, rec: Record, values: dict[str, Any], target: Any) -> bool:
        level = LEVEL_OF[self.kind]
        fk = HIERARCHY_PARENT[self.kind][1] if self.kind in HIERARCHY_PARENT else None
        parent_code = values[fk].code if fk and fk in values else None
        code = values.get("code")
        if not code:
            if target is not None:
                return True  # keeps its code
            values["code"] = free_code(self.model, parent_code or "", level, self._used)
            values["code_provisional"] = True
            self.result.provisional += 1
            return True
        try:
            check_code(level, code, parent_code)
        except CodeError as exc:
            self.problem(rec, "code", exc.code, say(exc.message))
            return False
        # An export of a provisional code keeps saying so when imported back.
        values["code_provisional"] = bool(rec.values.get("code_provisional"))
        return True

    def write(self, planned: list[tuple[Record, dict[str, Any], Any]]) -> None:
        now = timezone.now()
        new, changed, fields_changed = [], [], set()
        renames: list[tuple[str, str]] = []
        for _rec, values, target in planned:
            geo_values = {k: (geos(v) if isinstance(v, BaseGeometry) else v)
                          for k, v in values.items()}
            if target is None:
                new.append(self.model(origin=Origin.IMPORTED, source=self.source,
                                      **geo_values))
                continue
            if self.kind == "buildings" and geo_values.get("households_estimated") and \
                    not target.households_estimated:
                # A file without counts never replaces a count someone entered.
                geo_values.pop("households", None)
                geo_values.pop("households_estimated", None)
            diff = [k for k, v in geo_values.items() if not _same(target, k, v)]
            if not diff:
                self.result.unchanged += 1
                continue
            if "code" in diff:
                renames.append((target.code, geo_values["code"]))
            before = {k: undo_log.dump_value(target, k)
                      for k in [*diff, "origin", "source"]}
            for k in diff:
                setattr(target, k, geo_values[k])
            target.version += 1
            target.origin, target.source, target.updated_at = Origin.IMPORTED, self.source, now
            fields_changed.update(diff)
            changed.append(target)
            self.result.undo.append(undo_log.changed(target, before))
        made = audit.bulk_create(self.model, new, BATCH, f"import {self.source}")
        self.result.undo.extend(undo_log.created(o) for o in made)
        if changed:
            audit.bulk_update(
                self.model, changed,
                [*sorted(fields_changed), "version", "origin", "source", "updated_at"],
                BATCH, f"import {self.source}")
        for old, new_code in renames:
            self.result.undo.extend(
                _rename_children(self.kind, old, new_code, f"import {self.source}"))
        self.result.created, self.result.updated = len(new), len(changed)


def row_code(kind: str, values: dict[str, Any], target: Any) -> str:
    """The hierarchy code a row lands under: its own code, else its parent's ('' for none)."""
    if kind in LEVEL_OF:
        return str(values.get("code") or (target.code if target is not None else ""))
    for parent in ("community", "reported_community", "residence_community", "street",
                   "district"):
        code = str(getattr(values.get(parent), "code", None) or "")
        if code:
            return code
    return ""


def same_shape(a: GEOSGeometry, b: GEOSGeometry) -> bool:
    """Same vertices within SAME_DEG, in any order or ring direction."""
    if a.geom_type != b.geom_type or a.num_coords != b.num_coords:
        return False
    if a.equals_exact(b, SAME_DEG):
        return True
    # Shapefiles turn rings clockwise; KML and GCJ-02 round trips move vertices by ~1e-9°.
    sa, sb = from_wkb(bytes(a.wkb)), from_wkb(bytes(b.wkb))
    return bool(sa.hausdorff_distance(sb) <= SAME_DEG)


def _same(obj: models.Model, name: str, new: Any) -> bool:
    """Whether ``obj.name`` already equals ``new`` (foreign keys by id, no query)."""
    field = obj._meta.get_field(name)
    if field.is_relation:
        return bool(getattr(obj, getattr(field, "attname", name)) == getattr(new, "pk", None))
    current = getattr(obj, name)
    if isinstance(new, GEOSGeometry):
        return current is not None and same_shape(current, new)
    return bool(current == new)


def _rename_children(kind: str, old: str, new: str, reason: str) -> list[undo_log.Entry]:
    """Give the children of a re-coded row codes under the new code; return the undo log."""
    children: dict[str, list[Any]] = {"districts": [Street, Community, GridUnit],
                                      "streets": [Community, GridUnit],
                                      "communities": [GridUnit]}
    below = children.get(kind, [])
    log: list[undo_log.Entry] = []
    for model in below:
        rows = list(model._default_manager.filter(code__startswith=old))
        for r in rows:
            before = r.code
            r.code = new + r.code[len(old):]
            log.append(undo_log.recoded(r, before))
        audit.bulk_update(model, rows, ["code"], BATCH, f"{reason}: recode {old} → {new}")
    return log


def import_prepared(prepared: Prepared, source: str, *, dry_run: bool = False,
                    skip_invalid: bool = False, progress: Progress | None = None,
                    scope: str | None = None, allow_move: bool = False,
                    create_parents_from_columns: bool = False) -> ImportResult:
    """Resolve parents and codes, then write (unless problems or ``dry_run``).

    ``create_parents_from_columns`` (communities only) first makes the streets and
    districts the file names; they are written only together with the communities.
    """
    writer = _Writer(prepared, source)
    if not create_parents_from_columns:
        return writer.run(dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
                          scope=scope, allow_move=allow_move)
    if prepared.kind != "communities":
        raise ValueError("--create-parents applies to communities")
    with transaction.atomic():
        made = create_parents(prepared, source, scope)
        writer.problems.extend(made.problems)
        result = writer.run(dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
                            scope=scope, allow_move=allow_move)
        result.parents = made
        result.undo[:0] = made.undo
        if not result.written:
            transaction.set_rollback(True)
    return result
