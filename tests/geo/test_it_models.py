"""Every model round-trips through PostGIS with its geometry; constraints hold in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Pairing,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
    WalkNode,
)

pytestmark = pytest.mark.django_db

SQ = Polygon.from_bbox((104.06, 30.60, 104.07, 30.61))
SQ.srid = 4326
MSQ = MultiPolygon(SQ, srid=4326)
PT = Point(104.065, 30.605, srid=4326)


def _hierarchy() -> tuple[District, Street, Community, GridUnit]:
    d = District.objects.create(code="510104", name="锦江区", geom=MSQ)
    s = Street.objects.create(code="510104022", name="春熙路街道", district=d, geom=MSQ)
    c = Community.objects.create(code="510104022006", name="总府路社区", street=s, geom=MSQ,
                                 households=2300, population=6100, party_members=260)
    g = GridUnit.objects.create(code="510104022006001", name="总府路社区第1网格", community=c,
                                geom=MSQ, households=320, leader="张伟",
                                workers=[{"name": "李娜", "phone": "13800000000"}])
    return d, s, c, g


def _same(a: GEOSGeometry, b: GEOSGeometry) -> bool:
    return a.srid == b.srid == 4326 and a.equals_exact(b, tolerance=1e-9)


def test_it_round_trips_every_model() -> None:
    d, s, c, g = _hierarchy()
    center = ServiceCenter.objects.create(
        name="总府路社区党群服务中心", level="community", street=s, community=c, location=PT,
        footprint=SQ, floor_area=520, services=["party", "general"], phone="028-86000000")
    unit = CoBuildingUnit.objects.create(name="锦江区税务局", unit_type="organ", location=PT,
                                         party_members=80, capacity=2)
    pairing = Pairing.objects.create(unit=unit, community=c, distance_m=350.5, status="signed",
                                     agreement_date=dt.date(2026, 3, 1))
    member = ReportingMember.objects.create(name="王芳", residence=PT, home_unit=unit,
                                            residence_community=c, reported_community=c)
    compound = Compound.objects.create(name="锦绣花园", community=c, geom=SQ, households=400)
    building = Building.objects.create(compound=compound, community=c, geom=SQ, levels=18,
                                       households=144)
    n1 = WalkNode.objects.create(geom=PT)
    n2 = WalkNode.objects.create(geom=Point(104.066, 30.605, srid=4326))
    line = LineString(n1.geom, n2.geom, srid=4326)
    edge = WalkEdge.objects.create(start=n1, end=n2, geom=line, length_m=95.9, highway="primary")

    for obj, field in [(d, "geom"), (s, "geom"), (c, "geom"), (g, "geom"), (center, "location"),
                       (center, "footprint"), (unit, "location"), (member, "residence"),
                       (compound, "geom"), (building, "geom"), (n1, "geom"), (edge, "geom")]:
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        assert _same(getattr(fresh, field), getattr(obj, field)), (type(obj).__name__, field)
    assert GridUnit.objects.get(pk=g.pk).workers == [{"name": "李娜", "phone": "13800000000"}]
    assert ServiceCenter.objects.get(pk=center.pk).services == ["party", "general"]
    assert Pairing.objects.get(pk=pairing.pk).line.coords[0] == unit.location.coords


def test_it_finds_objects_with_spatial_lookups() -> None:
    _, _, c, g = _hierarchy()
    assert list(Community.objects.filter(geom__contains=PT)) == [c]
    assert list(GridUnit.objects.filter(geom__intersects=PT)) == [g]


@pytest.mark.parametrize(("model", "code"), [
    (District, "5101"), (District, "51010x"), (Street, "51010402"), (Community, "51010402200a"),
])
def test_it_rejects_malformed_codes_in_the_database(model: Any, code: str) -> None:
    d, s, _c, _ = _hierarchy()
    parent: Any = {District: {}, Street: {"district": d}, Community: {"street": s}}[model]
    with transaction.atomic(), pytest.raises(IntegrityError):
        model._default_manager.create(code=code, name="x", geom=MSQ, **parent)


def test_it_validates_codes_against_the_parent() -> None:
    _, s, _, _ = _hierarchy()
    bad = Community(code="510104099001", name="错码社区", street=s, geom=MSQ)
    with pytest.raises(ValidationError) as info:
        bad.full_clean()
    assert info.value.error_dict["code"][0].code == "code_parent"


def test_it_keeps_codes_unique() -> None:
    d, _, _, _ = _hierarchy()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Street.objects.create(code="510104022", name="重复", district=d, geom=MSQ)


def test_it_enforces_value_constraints() -> None:
    _, _, c, _ = _hierarchy()
    unit = CoBuildingUnit.objects.create(name="单位", unit_type="private", location=PT)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Pairing.objects.create(unit=unit, community=c, status="signed")  # no agreement date
    with transaction.atomic(), pytest.raises(IntegrityError):
        ServiceCenter.objects.create(name="x", level="site", location=PT, floor_area=-1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        CoBuildingUnit.objects.create(name="y", unit_type="private", location=PT, capacity=0)
    n = WalkNode.objects.create(geom=PT)
    with transaction.atomic(), pytest.raises(IntegrityError):
        WalkEdge.objects.create(start=n, end=n, geom=LineString(PT, PT, srid=4326), length_m=1)
    Pairing.objects.create(unit=unit, community=c)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Pairing.objects.create(unit=unit, community=c)


def test_it_protects_the_hierarchy_from_accidental_deletes() -> None:
    d, _, c, _ = _hierarchy()
    with pytest.raises(ProtectedError):
        d.delete()
    with pytest.raises(ProtectedError):
        c.delete()


def test_it_stores_geometries_with_srid_4326_and_gist_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
                    "WHERE f_table_name LIKE 'geo\\_%%'")
        cols = cur.fetchall()
        cur.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%%gist%%'")
        gist = {(t, d.split("(")[-1].rstrip(")")) for t, d in cur.fetchall()}
    assert len(cols) >= 13
    assert {srid for _, _, srid in cols} == {4326}
    views = {"geo_community_own_center"}  # reads geo_servicecenter.location, indexed there
    for table, column, _ in cols:
        if table not in views:
            assert (table, column) in gist, f"{table}.{column} lacks a GiST index"
