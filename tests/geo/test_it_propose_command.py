"""propose_grids: every community of a scope, figures per community, GeoJSON out, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import shape

from geo.analysis.grid_checks import tiling_report
from geo.models import Community, GridChangeset, GridUnit
from geo.services.grid_edit import to_shapely

pytestmark = pytest.mark.django_db


def test_it_proposes_for_a_street_and_saves_nothing(demo_db: None, tmp_path: Path) -> None:
    first = Community.objects.order_by("code").first()
    assert first is not None
    street = first.street
    before = list(GridUnit.objects.order_by("code").values_list("code", "version"))
    out, geojson = io.StringIO(), tmp_path / "p.geojson"
    call_command("propose_grids", "--scope", street.code, "--format", "json",
                 "--out", str(geojson), stdout=out)
    body = json.loads(out.getvalue())
    communities = Community.objects.filter(street=street)
    assert body["range"] == [150, 500]
    assert [c["community_code"] for c in body["communities"]] == sorted(
        communities.values_list("code", flat=True))
    for c in body["communities"]:
        assert 0 <= c["in_range"] <= 1 and 0 <= c["on_edges"] <= 1 and c["grids"] >= 1
        assert c["status"] in {"optimal", "feasible", "heuristic"}
        assert c["in_range"] == 1 or c["reasons"]
    # The GeoJSON holds each community's grids, which tile it.
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    for c in communities:
        mine = [shape(f["geometry"]) for f in features
                if f["properties"]["community_code"] == c.code]
        report = tiling_report(to_shapely(c.geom), mine)
        assert report.gap_m2 <= 1 and report.overlap_m2 <= 1
    # Nothing saved.
    assert list(GridUnit.objects.order_by("code").values_list("code", "version")) == before
    assert not GridChangeset.objects.exists()
    # The table names the columns.
    table = io.StringIO()
    call_command("propose_grids", "--scope", communities[0].code, stdout=table)
    assert "户数合规" in table.getvalue() and communities[0].code in table.getvalue()


def test_it_refuses_an_empty_range_and_an_unknown_scope(demo_db: None) -> None:
    with pytest.raises(CommandError, match="500"):
        call_command("propose_grids", "--scope", "510199", "--min", "600", "--max", "500")
    with pytest.raises(CommandError):
        call_command("propose_grids", "--scope", "999999")
