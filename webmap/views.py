"""Overview, resident finder, a center's page, health check and the context GeoJSON."""

from __future__ import annotations

import json
import logging

from django.contrib.gis.geos import Polygon
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from geo.models import (
    CenterService,
    CoBuildingUnit,
    Community,
    District,
    Event,
    GridUnit,
    HighwayClass,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
)
from geo.services.access import scope_of
from geo.services.errors import error_body
from geo.services.events import categories
from geo.services.text import title_of

# Roads drawn on the basemap by zoom-independent importance; minor paths only when zoomed in.
_MAJOR = [HighwayClass.TRUNK, HighwayClass.PRIMARY, HighwayClass.SECONDARY, HighwayClass.TERTIARY]
_MAX_BASEMAP_FEATURES = 5000


log = logging.getLogger("wangge.health")


# Where a user lands after logging in: the first page of this list their role may open.
LANDINGS = (("geo.change_gridunit", "webmap:plan"), ("geo.view_community", "webmap:reports"))


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """After login: planners to the grid editor, other staff to the reports, others home."""
    from django.shortcuts import redirect

    for perm, name in LANDINGS:
        if request.user.has_perm(perm) and scope_of(request.user) is not None:
            return redirect(name)
    return redirect("webmap:finder")


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    """Resident finder: the nearest service centers on foot (public, phone-first)."""
    return render(request, "webmap/finder.html")


@require_GET
def center_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A center's shareable page: hours, services, phone and where it is."""
    center = get_object_or_404(ServiceCenter.objects.select_related("community"), pk=pk)
    services = dict(CenterService.choices)
    return render(request, "webmap/center.html", {
        "center": center, "services": [services.get(s, s) for s in center.services]})


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """What is loaded, with a map of roads and community boundaries."""
    counts = {
        "districts": District.objects.count(),
        "streets": Street.objects.count(),
        "communities": Community.objects.count(),
        "grids": GridUnit.objects.count(),
        "centers": ServiceCenter.objects.count(),
        "units": CoBuildingUnit.objects.count(),
        "members": ReportingMember.objects.count(),
        "edges": WalkEdge.objects.count(),
        "households": Community.objects.aggregate(s=Sum("households"))["s"] or 0,
    }
    return render(request, "webmap/overview.html", {"counts": counts})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT PostGIS_Lib_Version()")
            version = cur.fetchone()[0]
    except DatabaseError as exc:
        # The reason (host, socket path, user) goes to the log, not to whoever asked.
        log.warning("healthz: database unavailable: %s", exc)
        return JsonResponse({"ok": False, "error": "database_unavailable"}, status=503)
    return JsonResponse({"ok": True, "postgis": version})


def _bbox(request: HttpRequest) -> Polygon | None:
    raw = request.GET.get("bbox")
    if not raw:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return Polygon.from_bbox((west, south, east, north))


@require_GET
def basemap_context(request: HttpRequest) -> HttpResponse:
    """Roads and community boundaries as GeoJSON: the basemap that works offline.

    ``?bbox=west,south,east,north`` (WGS84) limits the features; ``?minor=1`` adds
    minor roads and paths.
    """
    bbox = _bbox(request)
    if request.GET.get("bbox") and bbox is None:
        return JsonResponse(
            error_body("bad_bbox", "bbox must be west,south,east,north"),
            status=400,
        )
    edges = WalkEdge.objects.all()
    if request.GET.get("minor") != "1":
        edges = edges.filter(highway__in=_MAJOR)
    communities = Community.objects.all()
    if bbox is not None:
        edges = edges.filter(geom__bboverlaps=bbox)
        communities = communities.filter(geom__bboverlaps=bbox)
    features = []
    for name, highway, geom in edges.values_list("name", "highway", "geom")[:_MAX_BASEMAP_FEATURES]:
        features.append({"type": "Feature", "geometry": json.loads(geom.geojson),
                         "properties": {"kind": "road", "highway": highway, "name": name}})
    for name, code, area in communities.values_list("name", "code", "geom")[:1000]:
        features.append({"type": "Feature", "geometry": json.loads(area.boundary.geojson),
                         "properties": {"kind": "community", "name": name, "code": code}})
    resp = JsonResponse({"type": "FeatureCollection", "features": features})
    resp["Cache-Control"] = "max-age=300"
    return resp


# What each step of an event is called on its tracking page.
ACTION_LABELS = {
    "report": gettext_lazy("已上报"), "file": gettext_lazy("已立案"),
    "reject": gettext_lazy("不予立案"), "merge": gettext_lazy("已合并"),
    "dispatch": gettext_lazy("已派遣到网格"), "reassign": gettext_lazy("已改派"),
    "accept": gettext_lazy("网格员已接单"), "report_back": gettext_lazy("已处理并反馈"),
    "verify": gettext_lazy("已核查结案"), "reopen": gettext_lazy("核查未通过，重新处置"),
    "evaluate": gettext_lazy("已评价"),
}


@require_GET
def event_page(request: HttpRequest, code: str) -> HttpResponse:
    """Where a reported event stands, for whoever holds its tracking code (no names, no phones)."""
    event = (Event.objects.select_related("grid", "community")
             .defer("grid__geom", "community__geom").filter(code=code).first())
    if event is None:
        raise Http404(_("没有查询码为 %(code)s 的事件") % {"code": code})
    cat = categories().get(event.category)
    steps = [(ACTION_LABELS.get(s.action, s.action), s.at) for s in event.steps.all()]
    return render(request, "webmap/event.html", {
        "event": event, "steps": steps,
        "category": title_of(cat) if cat else event.category})
