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


# Route names the page scripts call, and the arguments they fill in.
SCRIPT_ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    "nearest": ("centers-nearest", {}), "search": ("search", {}),
    "coverage": ("coverage", {}), "facility": ("facility-ratio", {}),
    "members": ("members", {}), "communities": ("communities-list", {}),
    "roads": ("roads-list", {}), "center": ("webmap:center", {"pk": "id"}),
    "plan_community": ("plan-community", {"code": "code"}),
    "plan_check": ("plan-check", {"code": "code"}),
    "plan_save": ("plan-save", {"code": "code"}),
    "plan_carve": ("plan-carve", {"code": "code"}),
    "plan_split": ("plan-split", {}), "plan_merge": ("plan-merge", {}),
    "plan_history": ("plan-history", {"code": "code"}),
    "plan_revert": ("plan-revert", {"pk": "id"}),
    "plan_propose": ("plan-propose", {"code": "code"}),
    "plan_renumber": ("plan-renumber", {"code": "code"}),
    "plan_draft": ("plan-draft", {"pk": "id"}),
    "plan_boundary": ("plan-boundary", {"code": "code"}),
    "pairing": ("pairing", {}),
    "pairing_save": ("pairing-save", {}),
    "report_export": ("webmap:reports-export", {}),
    "report_job": ("webmap:reports-job", {}), "jobs": ("webmap:jobs", {}),
    "job": ("webmap:job", {"pk": "id"}), "job_cancel": ("webmap:job-cancel", {"pk": "id"}),
    "events": ("events", {}), "event_page": ("webmap:event", {"code": "code"}),
    "event_act": ("event-act", {"code": "code"}), "event": ("event", {"code": "code"}),
    "event_map": ("event-map", {}), "event_duplicates": ("event-duplicates", {}),
    "event_rates": ("event-rates", {}),
    "duties": ("member-duties", {}), "activities": ("member-activities", {}),
    "activity": ("member-activity", {"pk": "id"}),
    "sheet_upload": ("webmap:sheet-upload", {"kind": "kind"}),
    "staffing": ("staffing", {}), "leaders": ("leaders", {}),
    "staffing_community": ("staffing-community", {"code": "code", "year": "year"}),
    "wishes_nearby": ("wishes-nearby", {}), "wishes": ("wishes", {}),
    "wish_suggest": ("wish-suggest", {"pk": "id"}),
    "wish_act": ("wish-act", {"pk": "id", "action": "action"}),
    "stars": ("stars", {}), "rectifications": ("rectifications", {}),
    "star_score": ("star-score", {"code": "code", "year": "year", "star": "star"}),
    "rectification_advance": ("rectification-advance", {"pk": "id"}),
    "leader_links": ("leader-links", {}),
    "list_needs": ("list-needs", {}), "list_resources": ("list-resources", {}),
    "list_need_close": ("list-need-close", {"pk": "id"}),
    "list_resource_withdraw": ("list-resource-withdraw", {"pk": "id"}),
    "list_match": ("list-match", {}), "list_projects": ("list-projects", {}),
    "signs": ("signs", {}), "signs_save": ("signs-save", {}),
    "sign_advance": ("sign-advance", {"pk": "id"}),
    "list_project_advance": ("list-project-advance", {"pk": "id"}),
    "leader_link_close": ("leader-link-close", {"pk": "id"}),
}
_SENTINEL = {"code": "__code__", "pk": 987654321, "kind": "__kind__", "year": 1234567,
             "star": "__star__", "action": "__action__"}


def script_urls() -> dict[str, str]:
    """Every route the page scripts call, as templates ("/centers/{id}/"), from reverse()."""
    from django.urls import reverse

    out = {}
    for key, (name, args) in SCRIPT_ROUTES.items():
        url = reverse(name, kwargs={k: _SENTINEL[k] for k in args})
        for k, slot in args.items():
            url = url.replace(str(_SENTINEL[k]), "{" + slot + "}")
        out[key] = url
    return out


def event_categories() -> dict[str, str]:
    """The grid-event categories by code, named in the active language."""
    from geo.services.events import categories
    from geo.services.text import title_of

    return {c.code: title_of(c) for c in categories().values()}


def map_config(request: HttpRequest) -> dict[str, Any]:
    """What every map page's script needs: tile URL, online basemaps, labels of codes."""
    from django.conf import settings
    from django.templatetags.static import static
    from django.urls import reverse

    from geo.models import CenterLevel, CenterService, UnitType, ZoneType
    from tiles.layers import BASEMAP_LAYERS

    from .basemap import basemap_style

    return {"map_config": {
        "tiles": reverse("tiles:index"),
        "style": basemap_style(request),
        "basemap_layers": list(BASEMAP_LAYERS),
        "maplibre_worker": static("vendor/maplibre/maplibre-gl-csp-worker.js"),
        "urls": script_urls(),
        "online": list(settings.ONLINE_BASEMAPS),
        "tianditu_key": settings.TIANDITU_KEY,
        "center": [settings.MAP_DEFAULT_CENTER[1], settings.MAP_DEFAULT_CENTER[0]],
        "services": dict(CenterService.choices),
        "levels": dict(CenterLevel.choices),
        "unit_types": dict(UnitType.choices),
        "zone_types": dict(ZoneType.choices),
        "event_categories": event_categories(),
    }}


def scope_year_choices(scope: str, years: int = 4) -> dict[str, Any]:
    """What ``parts/scope_year_form.html`` offers: the districts and streets a user of
    ``scope`` may pick (a community's staff get their own community), and recent years."""
    from django.utils import timezone

    from geo.models import District, Street

    year = timezone.localdate().year
    return {
        "districts": District.objects.filter(code__startswith=scope).order_by("code")
        if len(scope) <= 6 else District.objects.none(),
        "streets": Street.objects.filter(code__startswith=scope[:9]).order_by("code")
        if len(scope) <= 9 else Street.objects.none(),
        "own_scope": scope, "years": list(range(year, year - years, -1)),
    }
