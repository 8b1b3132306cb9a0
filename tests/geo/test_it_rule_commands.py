"""reporting_members, facility_ratio and check_grids on the demo, with planted faults."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import call_command
from django.db.models import Sum

from geo.models import Community, GridUnit, ReportingMember, ServiceCenter
from tests.analysis_helpers import run_json

pytestmark = pytest.mark.django_db


def test_it_flags_communities_over_the_reporting_cap(demo_db: None) -> None:
    result = run_json("reporting_members", "--scope", "510199")
    over = [c for c in result["communities"] if c["over_cap"]]
    assert len(over) == 3
    for c in over:
        assert c["overflow"] == c["members"] - 100
        assert sum(s["places"] for s in c["suggestions"]) == c["overflow"]
    taken: dict[str, int] = {}
    members = {c["code"]: c["members"] for c in result["communities"]}
    for c in over:
        for s in c["suggestions"]:
            taken[s["code"]] = taken.get(s["code"], 0) + s["places"]
    assert all(members[code] + n <= 100 for code, n in taken.items())
    assert sum(members.values()) == ReportingMember.objects.count()


def test_it_measures_floor_area_per_100_households(demo_db: None) -> None:
    result = run_json("facility_ratio", "--profile", "city-plan-20")
    assert result["profile"] == "city-plan-20"
    for row in result["communities"][:10]:
        comm = Community.objects.get(code=row["code"])
        area = ServiceCenter.objects.filter(community=comm).aggregate(s=Sum("floor_area"))["s"]
        area = area or 0.0
        required = max(20 * comm.households / 100, 300)
        assert row["floor_area_m2"] == pytest.approx(area, abs=0.01)
        assert row["shortfall_m2"] == pytest.approx(max(required - area, 0), abs=0.01)
        assert row["meets"] == (area >= required)
    assert any(not r["meets"] for r in result["communities"])


def test_it_passes_the_demo_grids_and_finds_planted_faults(demo_db: None) -> None:
    clean = run_json("check_grids", "--scope", "510199")
    assert clean["ok"], clean["findings"][:3]
    comm = Community.objects.order_by("code")[0]
    grids = list(comm.grids.order_by("code"))
    # Shrink one grid by a 20 m strip on its west side: a gap appears.
    g = grids[0]
    minx, miny, _maxx, maxy = g.geom.extent
    cut = Polygon.from_bbox((minx, miny, minx + 20 / 96_000, maxy))
    shrunk = g.geom.difference(cut)
    g.geom = shrunk if shrunk.geom_type == "MultiPolygon" else MultiPolygon(shrunk)  # type: ignore[assignment]
    g.save()
    # Grow another over its neighbour and out of the community.
    h = grids[1]
    grown = h.geom.buffer(0.0003)
    h.geom = grown if grown.geom_type == "MultiPolygon" else MultiPolygon(grown)  # type: ignore[assignment]
    h.households = 10
    h.save()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_grids", "--scope", comm.code, "--format", "json", stdout=out)
    assert exit_info.value.code == 1
    kinds = {f["kind"] for f in json.loads(out.getvalue())["findings"]}
    assert {"gap", "overlap", "overhang", "households"} <= kinds


def test_it_finds_bad_codes(demo_db: None) -> None:
    comm = Community.objects.order_by("code")[1]
    first, second = list(comm.grids.order_by("code"))[:2]
    GridUnit.objects.filter(pk=first.pk).update(code=second.code[:-3] + "999")
    GridUnit.objects.filter(pk=second.pk).update(code=second.code[:-3] + "000")
    result = run_json_allow_fail("check_grids", "--scope", comm.code)
    kinds = {f["kind"] for f in result["findings"]}
    assert "code_order" in kinds


def run_json_allow_fail(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())
