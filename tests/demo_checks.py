"""Checks shared by the generated and the OSM-derived demo tests."""

from __future__ import annotations

from django.db import connection
from shapely import wkb

from geo.analysis.grid_checks import tiling_report
from geo.models import Community, GridUnit


def assert_grids_tile_communities(source_prefix: str, tolerance_m2: float = 1.0) -> int:
    """Every community of the demo is tiled by its grids, measured twice in m².

    Once in Python (equal-area projection) and once by PostGIS on the geography type.
    Returns the number of communities checked.
    """
    communities = Community.objects.filter(source__startswith=source_prefix)
    checked = 0
    for comm in communities:
        grids = list(GridUnit.objects.filter(community=comm).values_list("geom", flat=True))
        assert grids, f"{comm} has no grids"
        rep = tiling_report(wkb.loads(bytes(comm.geom.wkb)),
                            [wkb.loads(bytes(g.wkb)) for g in grids])
        assert rep.tiles(tolerance_m2), (str(comm), rep)
        checked += 1
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.code,
                   ST_Area(ST_Difference(c.geom, ST_Union(g.geom))::geography),
                   ST_Area(ST_Difference(ST_Union(g.geom), c.geom)::geography)
            FROM geo_community c JOIN geo_gridunit g ON g.community_id = c.id
            WHERE c.source LIKE %s GROUP BY c.id
            """,
            [source_prefix + "%"],
        )
        for code, gap, overhang in cur.fetchall():
            assert gap <= tolerance_m2 and overhang <= tolerance_m2, (code, gap, overhang)
        cur.execute(
            """
            SELECT coalesce(max(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0)
            FROM geo_gridunit a JOIN geo_gridunit b
              ON a.id < b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
            WHERE a.source LIKE %s
            """,
            [source_prefix + "%"],
        )
        (worst_overlap,) = cur.fetchone()
        assert worst_overlap <= tolerance_m2, worst_overlap
    return checked


def assert_valid_geometries(source_prefix: str) -> None:
    """No invalid polygon anywhere in the demo."""
    with connection.cursor() as cur:
        for table in ("geo_district", "geo_street", "geo_community", "geo_gridunit",
                      "geo_compound", "geo_building"):
            cur.execute(f"SELECT count(*) FROM {table} WHERE source LIKE %s "
                        "AND NOT ST_IsValid(geom)", [source_prefix + "%"])
            assert cur.fetchone()[0] == 0, f"invalid geometries in {table}"
    # Each level inside the one above (to 1 m²): catches a layer left in local metres.
    nested = [("geo_street", "district_id", "geo_district"),
              ("geo_community", "street_id", "geo_street"),
              ("geo_gridunit", "community_id", "geo_community")]
    with connection.cursor() as cur:
        for child, fk, parent in nested:
            cur.execute(f"SELECT count(*) FROM {child} c JOIN {parent} p ON p.id = c.{fk} "
                        "WHERE c.source LIKE %s "
                        "AND ST_Area(ST_Difference(c.geom, p.geom)::geography) > 1",
                        [source_prefix + "%"])
            assert cur.fetchone()[0] == 0, f"{child} outside its {parent}"
