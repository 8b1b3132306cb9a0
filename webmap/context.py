"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest


def demo_banner(request: HttpRequest) -> dict[str, Any]:
    """Tell pages whether generated demo data is loaded, so they can say so."""
    from geo.models import District, Origin

    try:
        demo = District.objects.filter(
            origin__in=[Origin.GENERATED, Origin.DERIVED]
        ).values_list("name", "origin").first()
    except DatabaseError:
        demo = None
    return {"demo_district": demo}


def map_config(request: HttpRequest) -> dict[str, Any]:
    """What every map page's script needs: tile URL, online basemaps, labels of codes."""
    from django.conf import settings
    from django.urls import reverse

    from geo.models import CenterLevel, CenterService, UnitType

    return {"map_config": {
        "tiles": reverse("tiles:index"),
        "online": list(settings.ONLINE_BASEMAPS),
        "tianditu_key": settings.TIANDITU_KEY,
        "center": [settings.MAP_DEFAULT_CENTER[1], settings.MAP_DEFAULT_CENTER[0]],
        "services": dict(CenterService.choices),
        "levels": dict(CenterLevel.choices),
        "unit_types": dict(UnitType.choices),
    }}
