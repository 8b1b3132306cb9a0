"""The offline basemap's MapLibre style (static/webmap/style/basemap.json) for one request."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

STYLE = Path(__file__).resolve().parent / "static" / "webmap" / "style" / "basemap.json"


@cache
def _template() -> str:
    return STYLE.read_text(encoding="utf-8")


def shows_osm_data() -> bool:
    """Whether the map draws OpenStreetMap data (its licence asks for the attribution)."""
    from geo.models import LandFeature, WalkEdge

    try:
        return WalkEdge.objects.filter(osm_way_id__isnull=False).exists() or \
            LandFeature.objects.exists()
    except DatabaseError:
        return False


def basemap_style(request: HttpRequest) -> dict[str, Any]:
    """The style with absolute tile URLs (MapLibre needs them) and this map's attribution."""
    tiles = request.build_absolute_uri(reverse("tiles:index"))
    style: dict[str, Any] = json.loads(_template().replace("{tiles}", tiles))
    credit = [_("本地底图")] + ([_("© OpenStreetMap 贡献者")] if shows_osm_data() else [])
    style["sources"]["base"]["attribution"] = " · ".join(credit)
    return style
