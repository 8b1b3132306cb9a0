"""JSON Schemas of the analysis, history and member responses, for the OpenAPI document.

The services return plain dicts; these schemas say what a client may rely on. The suite
validates real responses against them (tests/test_it_api_schema.py), so they cannot drift
from the code silently.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import resolve_type_hint
from drf_spectacular.utils import OpenApiResponse

Schema = dict[str, Any]

NUM: Schema = {"type": "number"}
INT: Schema = {"type": "integer"}
STR: Schema = {"type": "string"}
BOOL: Schema = {"type": "boolean"}
OBJ: Schema = {"type": "object"}


def nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object whose ``required`` properties are always present."""
    out: Schema = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:  # OpenAPI 3.0: a ``required`` list holds at least one name
        out["required"] = list(required)
    return out


LONLAT = arr(NUM)
GEOJSON_GEOMETRY = obj({"type": STR, "coordinates": arr({})})
NOTICE = obj({"code": STR, "message": STR})
ERROR = obj({"error": obj({"code": STR, "message": STR}, {"field": STR})})

NEAREST = obj({
    "query": obj({"lon": NUM, "lat": NUM, "crs": STR, "k": INT, "by": STR},
                 {"wgs84": LONLAT, "measured": STR}),
    "profile": STR,
    "place": nullable(obj({"community": obj({"code": STR, "name": STR}),
                           "street": obj({"code": STR, "name": STR}),
                           "grid": nullable(obj({"code": STR, "name": STR},
                                                {"leader": nullable(STR),
                                                 "workers": arr(obj({}, {"name": STR,
                                                                         "phone": STR}))}))})),
    "centers": arr(obj({"id": INT, "name": STR, "level": STR, "distance_m": NUM},
                       {"floor_area_m2": nullable(NUM), "opening_hours": STR,
                        "services": arr(STR), "phone": STR, "address": STR, "licensed": BOOL,
                        "community_code": nullable(STR), "walk_minutes": nullable(NUM),
                        "route": nullable(GEOJSON_GEOMETRY)})),
    "notices": arr(NOTICE),
})

_REACH_ROW = {"type": "object", "required": ["code", "buildings", "households", "worst_m"],
              "properties": {"code": STR, "buildings": INT, "households": INT,
                             "worst_m": nullable(NUM)},
              # One share per reach: within_300m, within_500m, …
              "additionalProperties": NUM}
COVERAGE = obj({
    "profile": STR, "scope": nullable(STR), "reaches_m": arr(NUM), "centers": INT,
    "buildings": INT,
    "levels": obj({}, {level: arr(_REACH_ROW)
                       for level in ("grid", "community", "street", "district")}),
    "uncovered_compounds": arr(obj({"id": INT, "name": STR, "households": INT,
                                    "distance_m": nullable(NUM)},
                                   {"community_code": nullable(STR),
                                    "community": nullable(STR), "lon": NUM, "lat": NUM})),
}, {"reach_areas": obj({"type": STR, "features": arr({"type": "object"})})})  # with areas=true

FACILITY = obj({
    "profile": STR, "profile_title": STR, "scope": nullable(STR),
    "ratio_m2_per_100_households": NUM, "min_m2": NUM,
    "communities": arr(obj({"code": STR, "households": INT, "centers": INT,
                            "floor_area_m2": NUM, "required_m2": NUM, "shortfall_m2": NUM,
                            "meets": BOOL},
                           {"name": STR, "m2_per_100_households": nullable(NUM),
                            "ratio_ok": BOOL, "min_ok": BOOL, "profile": STR})),
    "centers": arr(obj({"id": INT, "name": STR, "level": STR},
                       {"floor_area": nullable(NUM), "comprehensive": BOOL,
                        "community_code": nullable(STR), "target_m2": nullable(NUM),
                        "shortfall_m2": nullable(NUM), "meets": nullable(BOOL)})),
})

GRID_CHECKS = obj({
    "profile": STR, "scope": nullable(STR), "communities": INT, "grids": INT, "ok": BOOL,
    "counts": {"type": "object", "additionalProperties": INT},
    "findings": arr(obj({"community_code": STR, "kind": STR, "grids": arr(STR),
                         "message": STR},
                        {"area_m2": nullable(NUM), "geometry": nullable(GEOJSON_GEOMETRY)})),
})

MEMBERS = obj({
    "profile": STR, "scope": nullable(STR), "cap": INT, "members_in_scope": INT,
    "communities": arr(obj({"code": STR, "name": STR, "members": INT, "over_cap": BOOL,
                            "overflow": INT},
                           {"suggestions": arr(obj({"code": STR, "name": STR, "places": INT},
                                                   {"distance_m": NUM}))})),
}, {"members_outside_every_community": INT, "unplaced_overflow": INT})

MEMBER_LIST = obj({
    "scope": STR, "masked": BOOL, "count": INT, "page": INT, "page_size": INT,
    "members": arr(obj({"id": INT, "name": STR},
                       {"phone": STR, "id_number": STR, "home_unit": nullable(STR),
                        "residence_community": nullable(STR),
                        "reported_community": nullable(STR), "reported_on": nullable(STR)})),
})

_PAIRING_SUMMARY = obj({"status": STR, "pairings": INT, "total_m": NUM},
                       {"mean_m": nullable(NUM), "max_m": nullable(NUM),
                        "communities_over_cap": INT, "pairings_over_cap": INT,
                        "communities_under_min": INT, "communities_without_unit": INT})
PAIRING = obj({
    "summary": _PAIRING_SUMMARY,
    "pairings": arr(obj({"unit_id": INT, "unit": STR, "community_code": STR, "community": STR,
                         "distance_m": NUM},
                        {"locked": BOOL, "from": LONLAT, "to": LONLAT})),
    "per_community": arr(obj({"code": STR, "name": STR, "units": INT},
                             {"households": INT, "cap": INT, "min": INT, "target": STR})),
}, {"greedy": _PAIRING_SUMMARY, "profile": STR, "metric": STR, "scope": STR,
    "fingerprint": STR})

SEARCH = obj({"query": STR,
              "results": arr(obj({"kind": STR, "id": INT, "name": STR, "lon": NUM, "lat": NUM},
                                 {"detail": nullable(STR), "score": NUM}))})

_RECORD = obj({"history_id": INT, "at": STR, "kind": STR, "version": nullable(INT)},
              {"user": nullable(STR), "reason": nullable(STR), "changed": arr(STR),
               "before": {"type": "object"}, "after": {"type": "object"}})
HISTORY = obj({"kind": STR, "id": INT, "version": nullable(INT), "records": arr(_RECORD)})
REVERTED = obj({"kind": STR, "id": INT, "version": INT, "records": arr(_RECORD)})
STALE = obj({"error": ERROR["properties"]["error"], "current_version": nullable(INT),
             "records": arr(_RECORD)})


def response(schema: Schema, description: str) -> OpenApiResponse:
    return OpenApiResponse(response=schema, description=description)


def typed(result: type, description: str) -> OpenApiResponse:
    """The schema of a service's TypedDict result: the type mypy checks is the one documented."""
    return response(resolve_type_hint(result), description)


GRID_CONFLICT = obj({"error": ERROR["properties"]["error"], "grids": arr(STR),
                     "current": obj({"type": STR, "features": arr({"type": "object"})})})
PAIRING_SAVED = obj({"saved": INT, "fingerprint": STR})
PAIRING_STALE = obj({"error": ERROR["properties"]["error"], "fingerprint": STR})


_LINE = obj({"type": {"type": "string", "enum": ["LineString"]},
             "coordinates": arr(LONLAT)})
PAIRING_FEATURE = obj({
    "type": {"type": "string", "enum": ["Feature"]}, "id": INT,
    "geometry": nullable(_LINE),
    "properties": obj({"unit": INT, "community": INT, "distance_m": nullable(NUM),
                       "method": STR, "status": STR},
                      {"agreement_date": nullable(STR), "origin": STR, "source": STR,
                       "version": INT}),
})
