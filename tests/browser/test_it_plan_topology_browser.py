"""Reshaping in the editor is topological: a vertex three grids share moves for all three."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser
from shapely.geometry import Point

from geo.analysis.grid_checks import tiling_report
from geo.models import Community, GridChangeset, GridUnit
from geo.services.grid_edit import to_shapely
from tests.browser.helpers import Session, browser, user_with  # noqa: F401  (fixture)
from tests.browser.test_it_plan_browser import PLANNER, open_community

pytestmark = pytest.mark.django_db(transaction=True)


def drag(s: Session, lat: float, lon: float, dx: int, dy: int) -> None:
    """Press at (lat, lon) on the map and move by (dx, dy) pixels in six steps."""
    pt = s.page.evaluate(f"wanggeMap.latLngToContainerPoint([{lat}, {lon}])")
    box = s.page.locator("#map").bounding_box()
    assert box is not None
    x, y = box["x"] + pt["x"], box["y"] + pt["y"]
    s.page.mouse.move(x, y)
    s.page.mouse.down()
    for step in range(1, 7):
        s.page.mouse.move(x + dx * step, y + dy * step)
    s.page.mouse.up()


def test_it_drags_a_vertex_three_grids_share(live_server: object,
                                             browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    community = None
    for c in Community.objects.order_by("code"):
        open_community(s.page, str(live_server), c.code)
        if s.page.evaluate("window.planner.sharedVertex(3)"):
            community = c
            break
    assert community is not None, "no community of the demo has three grids meeting at a point"
    s.page.evaluate("wanggeMap.setZoom(18)")  # so a 24-pixel drag stays inside the grids
    s.page.wait_for_timeout(400)
    shared = s.page.evaluate("window.planner.sharedVertex(3)")
    lon, lat = shared["lonlat"]
    sharing = {g.code for g in GridUnit.objects.filter(community=community)
               if to_shapely(g.geom).boundary.distance(Point(lon, lat)) < 1e-9}
    assert len(sharing) >= 3
    before = {g.code: to_shapely(g.geom) for g in GridUnit.objects.filter(community=community)}
    s.page.wait_for_timeout(300)
    s.page.evaluate(f"wanggeMap.panTo([{lat}, {lon}], {{animate: false}})")
    s.page.click("#tool-reshape")
    s.page.wait_for_selector(".marker-icon")
    drag(s, lat, lon, 4, 3)
    s.page.wait_for_selector("#status[data-dirty='1']")
    assert int(s.page.locator("#status").get_attribute("data-moved") or 0) >= 2
    s.page.wait_for_selector("#status[data-checked]")
    s.page.click("#tool-save")
    s.page.wait_for_selector("#status[data-dirty='0'][data-saved]")
    s.screenshot("plan-shared-vertex")
    # One changeset changed every grid that shared the point; the tiling has no gap or overlap.
    changeset = GridChangeset.objects.get()
    assert changeset.operation == "reshape"
    changed = set(changeset.changes.values_list("code", flat=True))
    assert sharing <= changed
    after = {g.code: to_shapely(g.geom) for g in GridUnit.objects.filter(community=community)}
    assert {c for c in after if not after[c].equals_exact(before[c], 1e-12)} == changed
    # The point left its place on every grid that shared it.
    assert all(after[c].boundary.distance(Point(lon, lat)) > 1e-7 for c in sharing)
    gaps = tiling_report(to_shapely(community.geom), list(after.values()))
    assert gaps.gap_m2 <= 1.0 and gaps.overlap_m2 <= 1.0, gaps
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_moves_a_whole_edge_two_grids_share(live_server: object,
                                               browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    community = Community.objects.order_by("code")[2]
    open_community(s.page, str(live_server), community.code)
    edge = s.page.evaluate("window.planner.innerEdge()")
    assert edge is not None
    lon, lat = edge["lonlat"]
    s.page.evaluate(f"wanggeMap.setView([{lat}, {lon}], 18, {{animate: false}})")
    s.page.wait_for_timeout(400)
    ends = [Point(*p) for p in edge["ends"]]
    before = {g.code: to_shapely(g.geom) for g in GridUnit.objects.filter(community=community)}
    sharing = {c for c, g in before.items()
               if all(g.boundary.distance(p) < 1e-9 for p in ends)}
    assert len(sharing) == 2
    s.page.click("#tool-edge")
    drag(s, lat, lon, 3, 2)
    s.page.wait_for_selector("#status[data-dirty='1']")
    assert int(s.page.locator("#status").get_attribute("data-moved") or 0) >= 2
    s.page.wait_for_selector("#status[data-checked]")
    s.page.click("#tool-save")
    s.page.wait_for_selector("#status[data-dirty='0'][data-saved]")
    s.screenshot("plan-move-edge")
    changeset = GridChangeset.objects.get()
    assert changeset.operation == "reshape"
    changed = set(changeset.changes.values_list("code", flat=True))
    assert sharing <= changed
    after = {g.code: to_shapely(g.geom) for g in GridUnit.objects.filter(community=community)}
    # Both ends left their places on both grids; the grids still tile the community.
    assert all(after[c].boundary.distance(p) > 1e-7 for c in sharing for p in ends)
    gaps = tiling_report(to_shapely(community.geom), list(after.values()))
    assert gaps.gap_m2 <= 1.0 and gaps.overlap_m2 <= 1.0, gaps
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_moves_a_community_boundary_point_with_the_neighbour(
        live_server: object, browser: Browser) -> None:  # noqa: F811
    from tests.web.test_it_plan_boundary import shared_point

    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    me, other, (lon, lat) = shared_point()
    assert other is not None
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    open_community(s.page, str(live_server), me.code)
    s.page.evaluate(f"wanggeMap.setView([{lat}, {lon}], 18, {{animate: false}})")
    s.page.wait_for_timeout(400)
    s.page.click("#tool-boundary")
    s.page.wait_for_selector(".marker-icon")
    drag(s, lat, lon, 3, 2)
    s.page.wait_for_selector("#status[data-communities]")
    moved = set((s.page.locator("#status").get_attribute("data-communities") or "").split(","))
    assert moved == {me.code, other.code}
    s.screenshot("plan-move-community-boundary")
    assert {c.community.code for c in GridChangeset.objects.all()} == moved
    for c in Community.objects.filter(code__in=moved):
        grids = [to_shapely(g.geom) for g in GridUnit.objects.filter(community=c)]
        gaps = tiling_report(to_shapely(c.geom), grids)
        assert gaps.gap_m2 <= 1.0 and gaps.overlap_m2 <= 1.0, gaps
        assert to_shapely(c.geom).boundary.distance(Point(lon, lat)) > 1e-7
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_proposes_grids_saves_and_renumbers(live_server: object,
                                               browser: Browser) -> None:  # noqa: F811
    call_command("load_demo", "--generated", verbosity=0)
    user_with("planner", "pw-planner-1", *PLANNER)
    community = Community.objects.order_by("code")[3]
    call_command("propose_grids", "--scope", community.code, "--save-as-draft",
                 stdout=io.StringIO())
    s = Session(browser, str(live_server), viewport={"width": 1280, "height": 800})
    s.login("planner", "pw-planner-1")
    open_community(s.page, str(live_server), community.code)
    # The kept draft opens as an unsaved working copy; undo goes back to the saved grids.
    saved = GridUnit.objects.filter(community=community).count()
    s.page.wait_for_selector("#drafts:not([hidden])")
    s.page.click("#tool-open-draft")
    s.page.wait_for_selector("#status[data-proposed][data-dirty='1']")
    s.page.click("#tool-undo")
    s.page.wait_for_selector(f"#status[data-grids='{saved}']")
    s.page.click("#tool-propose")
    s.page.wait_for_selector("#status[data-proposed][data-dirty='1']")
    n = int(s.page.locator("#status").get_attribute("data-proposed") or 0)
    assert n >= 2 and "街块单元" in s.page.locator("#status").inner_text()
    s.page.wait_for_function(f"() => document.querySelectorAll('#grid-list tr').length === {n}")
    s.screenshot("plan-proposal")
    s.page.click("#tool-save")
    s.page.wait_for_selector("#status[data-dirty='0'][data-saved]")
    assert GridChangeset.objects.get().operation == "propose"
    assert GridUnit.objects.filter(community=community).count() == n
    s.page.click("#tool-renumber")
    s.page.wait_for_function(
        "() => /重新编号 #/.test(document.getElementById('status').textContent)")
    codes = sorted(GridUnit.objects.filter(community=community).values_list("code", flat=True))
    assert [c[-3:] for c in codes] == [f"{i + 1:03d}" for i in range(n)]
    first = s.page.locator("#grid-list tr").first.get_attribute("data-code")
    assert first == codes[0]
    assert not s.blocked and not s.errors, (s.blocked, s.errors)


def test_it_keeps_shared_points_shared_in_the_scripts(live_server: object,
                                                      browser: Browser) -> None:  # noqa: F811
    """The editor's topology functions on small shapes (run in the page, as the editor does)."""
    user_with("planner", "pw-planner-1", *PLANNER)
    s = Session(browser, str(live_server), viewport={"width": 800, "height": 600})
    s.login("planner", "pw-planner-1")
    s.page.goto(f"{live_server}/plan/")
    s.page.wait_for_function("() => window.W && W.topology")
    # Grid B's top edge runs through (1, 1), a corner of grid A: moving that corner to
    # (1, 1.5) bends B's edge through the new point (a T-junction), and moves C's corner.
    out = s.page.evaluate("""() => {
      const A = {type: "Polygon", coordinates: [[[0,1],[1,1],[1,2],[0,2],[0,1]]]};
      const B = {type: "Polygon", coordinates: [[[0,0],[2,0],[2,1],[0,1],[0,0]]]};
      const C = {type: "Polygon", coordinates: [[[1,1],[2,1],[2,2],[1,2],[1,1]]]};
      const far = {type: "Polygon", coordinates: [[[5,5],[6,5],[6,6],[5,6],[5,5]]]};
      const mv = g => W.topology.moveShared(g, [1,1], [1,1.5], 1e-9);
      return [mv(A), mv(B), mv(C), mv(far)];
    }""")
    a, b, c, far = out
    assert a["changed"] and c["changed"] and b["changed"] and not far["changed"]
    assert b["geometry"]["coordinates"][0] == [[0, 0], [2, 0], [2, 1], [1, 1.5], [0, 1],
                                                [0, 0]]
    assert c["geometry"]["coordinates"][0][0] == [1, 1.5]
    assert c["geometry"]["coordinates"][0][-1] == [1, 1.5]
    # Removing a point two grids share between the same neighbours removes it from both;
    # where the neighbours differ (a corner of the other grid) it stays.
    out = s.page.evaluate("""() => {
      const left = {type: "Polygon", coordinates: [[[0,0],[1,0],[1,1],[1,2],[0,2],[0,0]]]};
      const right = {type: "Polygon", coordinates: [[[1,0],[2,0],[2,2],[1,2],[1,1],[1,0]]]};
      const corner = {type: "Polygon", coordinates: [[[1,1],[2,1],[2,2],[1,2],[1,1]]]};
      const ends = W.topology.around(left, [1,1], 1e-9);
      return [ends, W.topology.removeShared(right, [1,1], ends[0], ends[1], 1e-9),
              W.topology.removeShared(corner, [1,1], ends[0], ends[1], 1e-9)];
    }""")
    ends, right, corner = out
    assert sorted(ends) == [[1, 0], [1, 2]]
    assert right["changed"] and [1, 1] not in right["geometry"]["coordinates"][0]
    assert not corner["changed"]
    assert not s.blocked and not s.errors, (s.blocked, s.errors)
