"""Open311 GeoReport v2 over the grid events, so existing Open311 clients work.

``/open311/v2/services.json``, ``requests.json`` (GET, POST) and ``requests/{id}.json``. Our
seven steps map to Open311's two statuses (open until closed, evaluated, rejected or
merged), with the step's name in ``status_notes``. JSON only; the XML form is not offered.
A POST is always a resident's report (no session counts here, so no CSRF token is needed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from geo.analysis.event_flow import OPEN_STATES, FlowError, State
from geo.models import Event, ReporterKind
from geo.services import events as svc
from geo.services.text import say, title_of

MAX_REQUESTS = 1000
# The GeoReport v2 fields of a service request (the spec's list, in its order).
REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url")


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status,
                        safe=False, json_dumps_params={"ensure_ascii": False})


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def as_request(event: Event) -> dict[str, Any]:
    """An event as a GeoReport v2 service request."""
    cat = svc.categories().get(event.category)
    name = title_of(cat) if cat else event.category
    state = State(event.state)
    return {
        "service_request_id": event.code,
        "status": "open" if state in OPEN_STATES else "closed",
        "status_notes": str(event.get_state_display()),
        "service_name": name, "service_code": event.category,
        "description": event.description,
        "agency_responsible": event.community.name if event.community is not None else "",
        "service_notice": "",
        "requested_datetime": _iso(event.created_at),
        "updated_datetime": _iso(event.updated_at),
        "expected_datetime": _iso(event.due_at) if state in OPEN_STATES else None,
        "address": event.address, "address_id": "", "zipcode": "",
        "lat": round(event.location.y, 7), "long": round(event.location.x, 7),
        "media_url": "",
    }


@require_GET
def services(request: HttpRequest) -> JsonResponse:
    """The event categories as Open311 services."""
    out = [{"service_code": c.code, "service_name": title_of(c),
            "description": title_of(c), "metadata": False,
            "type": "realtime", "keywords": "", "group": ""}
           for c in svc.categories().values()]
    return JsonResponse(out, safe=False, json_dumps_params={"ensure_ascii": False})


def _date(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else timezone.make_aware(moment)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> JsonResponse:
    """GET: service requests (newest first, filtered); POST: a resident's new request."""
    if request.method == "POST":
        return _create(request)
    q = request.GET
    qs = Event.objects.select_related("community").order_by("-created_at", "-id")
    if q.get("service_request_id"):
        qs = qs.filter(code__in=q["service_request_id"].split(","))
    if q.get("service_code"):
        qs = qs.filter(category__in=q["service_code"].split(","))
    status = q.get("status", "")
    if status:
        if status not in ("open", "closed"):
            return _error(400, _("status 应为 open 或 closed"))
        opened = [s.value for s in OPEN_STATES]
        qs = qs.filter(state__in=opened) if status == "open" else qs.exclude(state__in=opened)
    try:
        start, end = _date(q.get("start_date")), _date(q.get("end_date"))
    except ValueError:
        return _error(400, _("start_date 和 end_date 应为 W3C 时间，如 2026-11-24T09:00:00+08:00"))
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    if not (start or end or q.get("service_request_id")):
        # As the spec suggests: the last 90 days by default, at most 1,000 requests.
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=90))
    return JsonResponse([as_request(e) for e in qs[:MAX_REQUESTS]], safe=False,
                        json_dumps_params={"ensure_ascii": False})


def _create(request: HttpRequest) -> JsonResponse:
    p = request.POST
    missing = [f for f in ("service_code", "lat", "long", "description", "phone") if not p.get(f)]
    if missing:
        return _error(400, _("缺少参数：%(names)s") % {"names": ", ".join(missing)})
    try:
        lat, lon = float(p["lat"]), float(p["long"])
    except ValueError:
        return _error(400, _("lat 和 long 应为数字（WGS84 度）"))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _error(400, _("lat 和 long 超出经纬度范围"))
    phone = p["phone"].strip()
    if not phone.replace("-", "").lstrip("+").isdigit() or not 6 <= len(phone) <= 20:
        return _error(400, _("电话号码格式不对"))
    if len(p["description"]) > 2000 or len(p.get("address_string", "")) > 200:
        return _error(400, _("描述最多 2000 字，地点说明最多 200 字"))
    try:
        event = svc.report(category=p["service_code"], urgency="routine",
                           description=p["description"], lon=lon, lat=lat,
                           address=p.get("address_string", ""),
                           by=svc.Reporter(ReporterKind.RESIDENT, phone, None))
    except FlowError as exc:
        return _error(400, say(exc.message))
    return JsonResponse([{"service_request_id": event.code, "service_notice": "",
                          "account_id": None}], safe=False, status=201)


@require_GET
def request_detail(request: HttpRequest, code: str) -> JsonResponse:
    """One service request, as a list of one (as the spec writes it)."""
    event = Event.objects.select_related("community").filter(code=code).first()
    if event is None:
        return _error(404, _("没有服务请求 %(code)s") % {"code": code})
    return JsonResponse([as_request(event)], safe=False, json_dumps_params={"ensure_ascii": False})
