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
