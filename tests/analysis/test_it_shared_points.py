"""The server's shared-point move: vertices move, T-junctions gain the point, others stay."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon, box

from geo.analysis.shared_points import holds, move_shared


def test_it_moves_a_shared_corner_and_bends_an_edge_through_it() -> None:
    a = Polygon([(0, 1), (1, 1), (1, 2), (0, 2)])
    b = box(0, 0, 2, 1)                      # its top edge passes through (1, 1)
    c = MultiPolygon([box(1, 1, 2, 2)])
    far = box(5, 5, 6, 6)
    moved = [move_shared(g, (1, 1), (1, 1.5)) for g in (a, b, c, far)]
    assert [changed for _, changed in moved] == [True, True, True, False]
    (a2, _), (b2, _), (c2, _), (far2, _) = moved
    assert list(b2.exterior.coords).count((1.0, 1.5)) == 1 and holds(b2, (1, 1.5))
    assert c2.geom_type == "MultiPolygon" and holds(c2, (1, 1.5)) and not holds(c2, (1, 1))
    assert far2 is far
    # The three still tile the 2 × 2 square: no gap, no overlap.
    union = a2.union(b2).union(c2)
    assert abs(union.area - 4) < 1e-12
    assert abs(a2.area + b2.area + c2.area - 4) < 1e-12
