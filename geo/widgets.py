"""Map widget for the admin that needs no internet."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget
from django.urls import reverse


class OfflineMapWidget(OSMWidget):
    """OpenLayers served from our static files over the project's own vector basemap."""

    template_name = "geo/widgets/offline_map.html"
    default_lon, default_lat = settings.MAP_DEFAULT_CENTER
    default_zoom = 14

    class Media:
        extend = False  # drop OpenLayers from the CDN that Django's widget lists
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["basemap_url"] = reverse("webmap:basemap-context")
        return context
