"""`manage.py load_demo`: the generated district meets the brief and reloads idempotently."""

from __future__ import annotations

import hashlib
import io
import statistics

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from geo.models import (
    CenterLevel,
    CoBuildingUnit,
    Community,
    District,
    GridUnit,
    Origin,
    Pairing,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
    WalkNode,
)
from importers.demo.generated import generate_city
from tests.demo_checks import assert_grids_tile_communities, assert_valid_geometries

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (
        District, Street, Community, GridUnit, ServiceCenter, CoBuildingUnit, Pairing,
        ReportingMember, WalkNode, WalkEdge)}


def test_it_builds_the_district_the_brief_asks_for(demo_db: None) -> None:
    assert District.objects.count() == 1
    district = District.objects.get()
    assert district.origin == Origin.GENERATED and "演示" in district.name
    assert Street.objects.count() >= 4
    comms = Community.objects.all()
    assert comms.count() >= 30
    for c in comms:
        assert 1500 <= c.households <= 4000, c
        assert c.code.startswith(c.street.code) and len(c.code) == 12
        grids = GridUnit.objects.filter(community=c)
        assert grids.aggregate(s=Sum("households"))["s"] == c.households
        for g in grids:
            assert 150 <= g.households <= 500, g
            assert g.code.startswith(c.code) and len(g.code) == 15
            assert g.leader and g.workers
    # Grid numbers run 001, 002, ... within each community.
    for c in comms[:5]:
        codes = list(GridUnit.objects.filter(community=c).order_by("code")
                     .values_list("code", flat=True))
        assert [int(code[-3:]) for code in codes] == list(range(1, len(codes) + 1))


def test_it_tiles_every_community_with_its_grids(demo_db: None) -> None:
    assert assert_grids_tile_communities("demo", tolerance_m2=1.0) >= 30
    assert_valid_geometries("demo")


def test_it_has_centers_with_findings_for_the_reports(demo_db: None) -> None:
    levels = set(ServiceCenter.objects.values_list("level", flat=True))
    assert {CenterLevel.DISTRICT, CenterLevel.STREET, CenterLevel.COMMUNITY} <= levels
    with_center = set(ServiceCenter.objects.filter(level=CenterLevel.COMMUNITY)
                      .values_list("community_id", flat=True))
    assert Community.objects.exclude(id__in=with_center).exists(), "some lack a center"
    assert ServiceCenter.objects.filter(level=CenterLevel.COMMUNITY, floor_area__lt=500).exists()
    assert ServiceCenter.objects.filter(level=CenterLevel.STREET, floor_area__lt=1000).exists()
    assert ServiceCenter.objects.filter(level=CenterLevel.DISTRICT, comprehensive=True).exists()
    for center in ServiceCenter.objects.filter(level=CenterLevel.COMMUNITY):
        assert center.community is not None
        assert center.community.geom.contains(center.location), center


def test_it_has_units_members_and_a_road_hierarchy(demo_db: None) -> None:
    assert CoBuildingUnit.objects.count() >= 60
    assert CoBuildingUnit.objects.values("unit_type").distinct().count() == 6
    per_comm = (ReportingMember.objects.values("reported_community")
                .annotate(n=Count("id")).values_list("n", flat=True))
    assert max(per_comm) > 100, "some communities exceed the reporting cap"
    assert statistics.median(per_comm) < 100
    classes = set(WalkEdge.objects.values_list("highway", flat=True))
    assert {"primary", "secondary", "tertiary", "residential"} <= classes
    for edge in WalkEdge.objects.all()[:50]:
        # Stored lengths are geodesic metres, agreeing with PostGIS geography.
        assert edge.length_m > 0
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT max(abs(length_m - ST_Length(geom::geography))) FROM geo_walkedge")
        assert cur.fetchone()[0] < 0.01


def test_it_replaces_rather_than_duplicates(demo_db: None) -> None:
    before = _counts()
    call_command("load_demo", "--generated", stdout=io.StringIO())
    assert _counts() == before
    out = io.StringIO()
    call_command("load_demo", "--generated", "--if-empty", stdout=out)
    assert "skipped" in out.getvalue()
    assert _counts() == before


def test_it_leaves_data_that_is_not_demo_alone(demo_db: None) -> None:
    real = CoBuildingUnit.objects.create(name="真实单位", unit_type="organ",
                                         location=WalkNode.objects.first().geom)
    call_command("load_demo", "--generated", stdout=io.StringIO())
    assert CoBuildingUnit.objects.filter(pk=real.pk).exists()


def _digest(seed: int) -> str:
    city = generate_city(seed)
    h = hashlib.sha256()
    for g in city.grids:
        h.update(g.code.encode() + g.geom.wkb + str(g.households).encode())
    for m in city.members:
        h.update(m.name.encode() + m.residence.wkb)
    return h.hexdigest()


def test_it_is_deterministic() -> None:
    assert _digest(2026) == _digest(2026)
    assert _digest(2026) != _digest(7)
