"""Columnar COPY: rows given column by column read back as written, with defaults, history
for audited models, and nothing written on failure."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from geo.models import Building, District, ServiceCenter, WalkEdge, WalkNode
from geo.models.audit import acting_as
from importers.copyload import Same, copy_columns, ewkb_hex

pytestmark = pytest.mark.django_db


def test_it_reads_back_what_the_columns_said() -> None:
    xs = 104.0 + np.arange(4) * 1e-4
    points = shapely.points(xs, np.full(4, 30.6))
    ids = copy_columns(WalkNode, 4, {"geom": ewkb_hex(list(points)),
                                     "osm_id": np.array([7, 8, 9, 10]),
                                     "source": "columns\ttest"})
    assert ids.dtype == np.int64 and len(set(ids.tolist())) == 4
    for pk, x, osm in zip(ids.tolist(), xs, [7, 8, 9, 10], strict=True):
        node = WalkNode.objects.get(pk=pk)
        assert (node.geom.x, node.geom.y, node.geom.srid, node.osm_id) == (x, 30.6, 4326, osm)
        assert node.source == "columns\ttest"
    # Foreign keys point at the ids given back; shapely geometries are accepted as they are.
    lines = [shapely.LineString([(xs[i], 30.6), (xs[i + 1], 30.6)]) for i in range(3)]
    edge_ids = copy_columns(WalkEdge, 3, {
        "start_id": ids[:-1], "end_id": ids[1:], "geom": lines,
        "length_m": np.array([9.5, 9.5, 9.5]), "highway": ["footway", "path", "residential"],
        "name": ["", "小路", "测试\\路"]})
    edge = WalkEdge.objects.get(pk=edge_ids[2])
    assert (edge.start_id, edge.end_id, edge.highway, edge.name) == (ids[2], ids[3],
                                                                       "residential", "测试\\路")
    assert shapely.equals_exact(shapely.from_wkb(bytes(edge.geom.wkb)), lines[2], 0)


def test_it_takes_defaults_and_nulls_for_fields_left_out() -> None:
    (pk,) = copy_columns(Building, 1, {"geom": [shapely.box(104, 30.6, 104.0002, 30.6002)],
                                       "households": np.array([12])}).tolist()
    made = Building.objects.bulk_create([Building(geom="SRID=4326;POLYGON((104 30.6,"  # type: ignore[misc]
                                                  "104.0002 30.6,104.0002 30.6002,104 30.6,"
                                                  "104 30.6))", households=12)])[0]
    a, b = Building.objects.get(pk=pk), Building.objects.get(pk=made.pk)
    for field in ("residential", "households_estimated", "version", "origin", "levels",
                  "compound_id", "name"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.created_at is not None and a.updated_at == a.created_at


def test_it_writes_array_and_json_values_and_history_as_the_actor() -> None:
    user = get_user_model().objects.create_user("copy-columns")
    with acting_as(user):
        ids = copy_columns(ServiceCenter, 2, {
            "name": ["甲中心", '乙"中心'], "level": "community",
            "location": [shapely.Point(104, 30.6), shapely.Point(104.001, 30.6)],
            "services": [["party", "consult"], ["general"]], "source": "copy-test",
        }, reason="城市规模测试")
    a, b = (ServiceCenter.objects.get(pk=pk) for pk in ids.tolist())
    assert a.services == ["party", "consult"] and b.services == ["general"]
    assert b.name == '乙"中心' and a.floor_area == ServiceCenter._meta.get_field(
        "floor_area").get_default()
    record = a.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", user, "城市规模测试")
    assert record.name == "甲中心" and record.location.equals(a.location)
    # One list for every row says so with Same (a bare list would be one value per row).
    (pk,) = copy_columns(ServiceCenter, 1, {"name": "丙中心", "level": "site",
                                            "location": [shapely.Point(104, 30.601)],
                                            "services": Same(["party"])}).tolist()
    assert ServiceCenter.objects.get(pk=pk).services == ["party"]


def test_it_refuses_columns_it_cannot_place() -> None:
    with pytest.raises(ValueError, match="has no field colour"):
        copy_columns(WalkNode, 1, {"geom": [shapely.Point(104, 30)], "colour": "red"})
    with pytest.raises(ValueError, match="3 values for 2 rows"):
        copy_columns(WalkNode, 2, {"geom": [shapely.Point(104, 30)] * 3})
    with pytest.raises(ValueError, match=r"District\.code has no default"):
        copy_columns(District, 1, {"name": "区", "geom": [shapely.MultiPolygon(
            [shapely.box(104, 30, 104.1, 30.1)])]})


def test_it_writes_nothing_when_a_row_is_refused() -> None:
    before = WalkNode.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        copy_columns(WalkNode, 2, {"geom": [shapely.Point(104, 30)] * 2,
                                   "source": ["ok", "x" * 300]})  # too long
    assert WalkNode.objects.count() == before
