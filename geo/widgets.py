"""Map widget for the admin that needs no internet."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget
from django.urls import reverse


class OfflineMapWidget(OSMWidget):
    """OpenLayers served from our static files over the project's own vector basemap."""

    template_name = "geo/widgets/offline_map.html"
    default_lon, default_lat = settings.MAP_DEFAULT_CENTER  # type: ignore[assignment]
    default_zoom = 14

    class Media:
        extend = False  # drop OpenLayers from the CDN that Django's widget lists
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "webmap/olwidget.js")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Options travel as a JSON data block read by webmap/olwidget.js: no inline script.
        context["options_id"] = f"{context['id']}_options"
        context["widget_options"] = {
            "geom_name": context["geom_type"], "id": context["id"],
            "map_id": f"{context['id']}_map", "map_srid": self.map_srid,
            "name": context["name"], "module": context["module"],
            "default_lon": self.default_lon, "default_lat": self.default_lat,
            "default_zoom": self.default_zoom,
            "basemap_url": reverse("webmap:basemap-context"),
        }
        return context
