"""Content-Security-Policy on every response: scripts only from this server, never inline.

Every page's script is a static file and the data it needs travels in ``json_script`` data
blocks, so a name that slipped past escaping still cannot run: the browser refuses inline
script, ``eval`` and other hosts. Styles may be inline (Leaflet and the admin position
things with ``style`` attributes); images may come from the online basemaps a deployment
turned on (``WANGGE_ONLINE_BASEMAPS``), and from nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Tile hosts of the optional online basemaps (webmap/static/webmap/wmap.js).
BASEMAP_HOSTS = {
    "tianditu": "https://*.tianditu.gov.cn",
    "osm": "https://tile.openstreetmap.org",
    "amap": "https://*.is.autonavi.com",
}


def policy(online_basemaps: list[str]) -> str:
    """The policy header for a deployment with these online basemaps turned on."""
    images = ["'self'", "data:", "blob:"] + [BASEMAP_HOSTS[b] for b in online_basemaps
                                              if b in BASEMAP_HOSTS]
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src " + " ".join(images),
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    """Add the policy to every response that does not carry its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = policy(list(settings.ONLINE_BASEMAPS))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
