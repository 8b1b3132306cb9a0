"""COPY loading: the same rows as bulk_create, ids given back, nothing written on failure."""

from __future__ import annotations

import itertools

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import DatabaseError, transaction

from geo.models import Building, District, WalkEdge, WalkNode
from importers.copyload import copy_create, ewkb_hex

pytestmark = pytest.mark.django_db


def square(x: float, y: float, d: float = 0.0002) -> Polygon:
    return Polygon(((x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)), srid=4326)


def test_it_writes_what_bulk_create_writes_and_gives_the_ids_back() -> None:
    nodes = copy_create(WalkNode, [WalkNode(geom=Point(104.0 + i * 1e-4, 30.6, srid=4326),
                                            osm_id=i, source="copy-test") for i in range(50)])
    assert len({n.pk for n in nodes}) == 50 and all(n.pk for n in nodes)
    # Foreign keys may point at the ids COPY gave back.
    # A geometry may be given as text (EWKT, hex EWKB): Django accepts it, so does COPY.
    edges = copy_create(WalkEdge, [WalkEdge(start=a, end=b, geom=f"SRID=4326;LINESTRING("  # type: ignore[misc]
                                            f"{a.geom.x} {a.geom.y}, {b.geom.x} {b.geom.y})",
                                            length_m=9.6, highway="residential",
                                            name="测试路", source="copy-test")
                                   for a, b in itertools.pairwise(nodes)])
    stored = WalkEdge.objects.get(pk=edges[3].pk)
    assert (stored.start_id, stored.end_id) == (nodes[3].pk, nodes[4].pk)
    assert stored.name == "测试路" and stored.geom.srid == 4326
    for n in nodes[:5]:
        fresh = WalkNode.objects.get(pk=n.pk)
        assert fresh.geom.equals_exact(n.geom, 1e-12) and fresh.osm_id == n.osm_id
    # Defaults and timestamps as bulk_create would set them.
    copied = copy_create(Building, [Building(geom=square(104.0, 30.6), households=12,
                                             name="甲栋")])[0]
    made = Building.objects.bulk_create([Building(geom=square(104.001, 30.6), households=12,
                                                  name="乙栋")])[0]
    a, b = Building.objects.get(pk=copied.pk), Building.objects.get(pk=made.pk)
    for field in ("residential", "households_estimated", "version", "origin", "levels"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.created_at is not None and a.updated_at is not None
    assert a.geom.equals_exact(square(104.0, 30.6), 1e-12)


def test_it_sends_hex_ewkb_made_all_at_once_as_is() -> None:
    shapes = [shapely.Point(104.0 + i * 1e-4, 30.6) for i in range(3)]
    made = copy_create(WalkNode, [WalkNode(geom=h, source="copy-test\ttab")  # type: ignore[misc]
                                  for h in ewkb_hex(shapes)])
    for node, shape in zip(made, shapes, strict=True):
        fresh = WalkNode.objects.get(pk=node.pk)
        assert (fresh.geom.x, fresh.geom.y, fresh.geom.srid) == (shape.x, shape.y, 4326)
        assert fresh.source == "copy-test\ttab"  # escaped in COPY's text format


def test_it_asks_a_field_of_its_own_for_the_value() -> None:
    from django.db import models

    from importers.copyload import _line_maker

    class Upper(models.CharField):  # adapts its value the way only it knows
        def get_db_prep_value(self, value, connection, prepared=False):
            return str(value).upper()

    field = Upper(max_length=5)
    field.set_attributes_from_name("name")
    assert _line_maker([field]) is None  # the slow path: get_db_prep_save per value


def test_it_writes_nothing_when_a_row_is_refused() -> None:
    before = WalkNode.objects.count()
    rows = [WalkNode(geom=Point(104.0, 30.6, srid=4326), source="copy-test"),
            WalkNode(geom=Point(104.0, 30.6, srid=4326), source="x" * 300)]  # too long
    with pytest.raises(DatabaseError), transaction.atomic():
        copy_create(WalkNode, rows)
    assert WalkNode.objects.count() == before


def test_it_leaves_audited_models_to_bulk_create_with_their_history() -> None:
    shape = MultiPolygon(Polygon(((104, 30.6), (104.01, 30.6), (104.01, 30.61), (104, 30.6))),
                         srid=4326)
    # A code no demo uses (the generated demo may be loaded for the session: 510199).
    code = next(c for c in ("110199", "110198", "110197")
                if not District.objects.filter(code=c).exists())
    district = copy_create(District, [District(code=code, name="测试区", geom=shape)])[0]
    assert District.history.filter(id=district.pk, history_type="+").count() == 1
