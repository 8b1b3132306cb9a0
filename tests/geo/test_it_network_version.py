"""The walking network's version token: every statement that changes walk nodes or edges
(ORM, raw SQL, COPY, TRUNCATE) gives a new one, and a process's cached graph follows."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString
from django.db import connection

from geo.models import NetworkVersion, WalkEdge, WalkNode
from geo.services.network import walk_graph

pytestmark = pytest.mark.django_db


def _token() -> object:
    return NetworkVersion.objects.values_list("token", flat=True).first()


def test_it_changes_with_every_network_write_and_the_cached_graph_follows(
        demo_db: None) -> None:
    before = walk_graph()
    assert walk_graph() is before  # cached while nothing changes
    t0 = _token()
    assert t0 is not None
    a, b = WalkNode.objects.order_by("id")[:2]
    WalkEdge.objects.create(start=a, end=b, geom=LineString(a.geom, b.geom, srid=4326),
                            length_m=123.0)
    t1 = _token()
    assert t1 != t0
    after = walk_graph()
    assert after is not before and after.n_edges == before.n_edges + 1
    with connection.cursor() as cur:
        cur.execute("UPDATE geo_walkedge SET length_m = length_m WHERE false")  # no rows
    assert _token() != t1  # a statement, even one that changes nothing, says so
    t2 = _token()
    WalkEdge.objects.filter(length_m=123.0).delete()
    assert _token() != t2
    assert walk_graph().n_edges == before.n_edges


def test_it_counts_the_network_when_the_token_row_is_missing(demo_db: None) -> None:
    NetworkVersion.objects.all().delete()
    graph = walk_graph()
    assert graph.n_edges == WalkEdge.objects.count()
    # The next write makes the row again.
    node = WalkNode.objects.order_by("id").first()
    assert node is not None
    WalkNode.objects.filter(pk=node.pk).update(osm_id=node.osm_id)
    assert _token() is not None
