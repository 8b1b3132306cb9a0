"""Which requests count against which per-client limit, and how limits are written.

``WANGGE_RATE_LIMITS`` is a comma list of ``bucket=requests/seconds`` (``finder=120/60``);
``off`` turns every limit off and ``bucket=0/60`` one of them. The public buckets are the
resident finder with its two endpoints, the vector tiles (a map view loads a few dozen
tiles at once), the login forms and every other authentication path (password guessing),
the rest of the public API (GeoJSON layers: bounded per request, limited per client), and
residents' event reports (a few an hour per client).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

DEFAULT_RATE_LIMITS = "finder=120/60,tiles=2000/60,login=10/60,api=300/60,report=20/3600"

BUCKETS = ("finder", "tiles", "login", "api", "report")


def parse_rate_limits(raw: str) -> dict[str, tuple[int, int]]:
    """``{"finder": (120, 60), ...}`` from the variable; a limit of 0 is left out."""
    if raw.strip().lower() in {"off", "0", "none"}:
        return {}
    limits: dict[str, tuple[int, int]] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, spec = item.partition("=")
        count, _, window = spec.partition("/")
        if name not in BUCKETS or not count.isdigit() or not window.isdigit() or \
                int(window) == 0:
            raise ImproperlyConfigured(
                f"WANGGE_RATE_LIMITS item {item!r} should be BUCKET=REQUESTS/SECONDS with "
                f"BUCKET one of {', '.join(BUCKETS)}, e.g. finder=120/60")
        if int(count):
            limits[name] = (int(count), int(window))
    return limits


def bucket_of(method: str, path: str) -> str | None:
    """The limit a request counts against, or ``None`` (staff pages need a login instead)."""
    if path.startswith("/tiles/") or (path.startswith("/ogcapi/") and "/tiles/" in path):
        return "tiles"
    if path in {"/", "/api/v1/centers/nearest", "/api/v1/search"} or \
            path.startswith(("/centers/", "/events/")):
        return "finder"
    if method == "POST" and path in ("/api/v1/events", "/open311/v2/requests.json"):
        return "report"  # a resident's report: a handful an hour, not a flood
    if method == "POST" and (path.startswith("/accounts/") or path == "/admin/login/"):
        return "login"  # login, password change and reset: everything that checks a password
    if path.startswith(("/api/", "/ogcapi")):
        return "api"  # GIS clients walk pages: each page counts, its size is theirs to pick
    return None
