"""GeoJSON for every layer, filtered by bbox and hierarchy code, paginated."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import (
    GeoFeatureModelSerializer,
    GeometrySerializerMethodField,
)

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Pairing,
    ServiceCenter,
    Street,
    WalkEdge,
)
from geo.services.access import scope_filter, scope_of

from . import schemas as sch
from .errors import ApiError
from .permissions import StaffInScope

LINK = {"type": "object", "required": ["rel", "href"],
        "properties": {"rel": {"type": "string"}, "type": {"type": "string"},
                       "href": {"type": "string", "format": "uri"}}}
WHOLE = OpenApiParameter(
    "all", bool, description="true: the whole layer (after the filters) in one streamed "
    "FeatureCollection instead of pages. GDAL/OGR clients (ogrinfo, ogr2ogr, QGIS: "
    "User-Agent GDAL/ or QGIS/, or GDAL 3.6's bare Accept: text/plain, application/json) "
    "asking without page or page_size get the whole layer too: they read one response.")
# Bounds of one public request: a page holds at most MAX_PAGE_SIZE features, a bbox spans at
# most MAX_BBOX_DEG2 square degrees (about 100 × 110 km, a whole city), a page number is at
# most MAX_PAGE. Statement time is bounded by the connection (WANGGE_STATEMENT_TIMEOUT_MS).
MAX_PAGE_SIZE = 500
MAX_BBOX_DEG2 = 1.0
MAX_PAGE = 100_000


GEOJSON = "application/geo+json"


class Pages(GeoJsonPagination):
    """Pages of 200 with OGC-style ``links`` (rel next/prev), ``numberMatched/Returned``."""

    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response(self, data: Any) -> Response:
        resp = super().get_paginated_response(data)
        links = [{"rel": "self", "type": GEOJSON, "href": self.request.build_absolute_uri()}]
        for rel, href in (("next", self.get_next_link()), ("prev", self.get_previous_link())):
            if href:
                links.append({"rel": rel, "type": GEOJSON, "href": href})
        resp.data["numberMatched"] = self.page.paginator.count
        resp.data["numberReturned"] = len(data["features"])
        resp.data["links"] = links
        return resp

    def get_paginated_response_schema(self, schema: Any) -> dict[str, Any]:
        out: dict[str, Any] = super().get_paginated_response_schema(schema)
        # rest_framework_gis nests the list serializer's FeatureCollection as "features" and
        # keeps DRF's "results" required: describe what is sent, an array of features.
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if ref.endswith("FeatureList"):
            out["properties"]["features"] = {"type": "array",
                                             "items": {"$ref": ref[:-len("List")]}}
        out["required"] = ["type", "features"]
        out["properties"].update({
            "numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"},
            "links": {"type": "array", "items": LINK}})
        return out

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "", "last") and not (raw.isdigit() and 1 <= int(raw) <= MAX_PAGE):
            raise ApiError("invalid_parameter", f"page must be a whole number from 1 to "
                           f"{MAX_PAGE:,}", "page")
        return super().paginate_queryset(queryset, request, view)


class BoundedBBoxFilter(InBBoxFilter):
    """``in_bbox`` of four finite WGS84 degrees, west < east, south < north, city-sized."""

    def get_filter_bbox(self, request: Request) -> Any:
        raw = request.query_params.get(self.bbox_param)
        if not raw:
            return None
        try:
            west, south, east, north = (float(v) for v in raw.split(","))
        except ValueError as exc:
            raise ApiError("invalid_parameter", "in_bbox takes four numbers: "
                           "min_lon,min_lat,max_lon,max_lat", "in_bbox") from exc
        if not all(math.isfinite(v) for v in (west, south, east, north)) or \
                not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ApiError("invalid_parameter", "in_bbox must be min_lon,min_lat,max_lon,"
                           "max_lat in degrees with min < max", "in_bbox")
        if (east - west) * (north - south) > MAX_BBOX_DEG2:
            raise ApiError("invalid_parameter", f"in_bbox spans more than {MAX_BBOX_DEG2:g} "
                           "square degree; ask for a smaller area or page through ?code=",
                           "in_bbox")
        return super().get_filter_bbox(request)


def _serializer(model_: type, geo_field_: str, fields_: list[str]) -> type:
    class Meta:
        model = model_
        geo_field = geo_field_
        fields: ClassVar[list[str]] = ["id", *fields_]

    return type(f"{model_.__name__}Feature", (GeoFeatureModelSerializer,), {"Meta": Meta})


class LayerViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only GeoJSON layer; ?bbox=minlon,minlat,maxlon,maxlat&code=prefix."""

    pagination_class = Pages
    filter_backends: ClassVar[list[type]] = [BoundedBBoxFilter]  # type: ignore[misc]
    bbox_filter_include_overlapping = True
    code_field: ClassVar[str | None] = None
    # Staff layers (co-building units, pairings) are planning data: staff of the scope only.
    staff_only: ClassVar[bool] = False

    @property
    def required_perm(self) -> str:
        model: Any = getattr(type(self), "queryset").model  # noqa: B009 (the class's queryset)
        return f"geo.view_{model._meta.model_name}"

    def get_permissions(self) -> list[Any]:
        return [StaffInScope()] if self.staff_only else list(super().get_permissions())

    @extend_schema(parameters=[WHOLE])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if not wants_whole_layer(request):
            return super().list(request, *args, **kwargs)
        qs = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer_class()
        context = self.get_serializer_context()
        return StreamingHttpResponse(stream_features(qs, serializer, dict(context)),
                                     content_type=GEOJSON)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        request: Request = self.request
        if self.staff_only:
            qs = qs.filter(scope_filter(qs.model, scope_of(request.user) or ""))
        code = request.query_params.get("code", "")
        if code:
            if not code.isdigit() or len(code) > 15:
                raise ApiError("invalid_parameter", "code must be a hierarchy code prefix of "
                               "up to 15 digits", "code")
            if self.code_field is None:
                raise ApiError("invalid_parameter", "this layer has no hierarchy code", "code")
            qs = qs.filter(**{f"{self.code_field}__startswith": code})
        return qs.order_by("pk")


def wants_whole_layer(request: Request) -> bool:
    """``?all=true``, or a GDAL client (one request, no paging of its own) asking plainly."""
    q = request.query_params
    raw = q.get("all", "")
    if raw:
        if raw.lower() not in ("true", "1", "false", "0"):
            raise ApiError("invalid_parameter", "all must be true or false", "all")
        return raw.lower() in ("true", "1")
    if "page" in q or "page_size" in q:
        return False
    # GDAL ≥ 3.7 says "GDAL/x.y"; 3.6 (Debian 12) sends no User-Agent, and its GeoJSON driver
    # asks for exactly this Accept (browsers and fetch() send other values).
    agent = request.headers.get("User-Agent", "")
    accept = request.headers.get("Accept", "")
    return agent.startswith("GDAL/") or "QGIS/" in agent or (
        not agent and accept == "text/plain, application/json")


STREAM_CHUNK = 1000


def stream_features(qs: QuerySet[Any], serializer: type, context: dict[str, Any]
                    ) -> Iterator[bytes]:
    """The queryset as one GeoJSON FeatureCollection, written in chunks of rows."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for obj in qs.iterator(chunk_size=STREAM_CHUNK):
        feature = json.dumps(serializer(obj, context=context).data, ensure_ascii=False,
                             cls=JSONEncoder)
        yield (b"" if first else b",") + feature.encode()
        first = False
    yield b"]}"


def layer(model: type, geo_field: str, fields: list[str], code_field: str | None,
          related: tuple[str, ...] = (), staff_only: bool = False) -> type[LayerViewSet]:
    """A viewset class for one model."""
    attrs = {
        "queryset": model.objects.select_related(*related).all(),  # type: ignore[attr-defined]
        "serializer_class": _serializer(model, geo_field, fields),
        "bbox_filter_field": geo_field,
        "code_field": code_field,
        "staff_only": staff_only,
        "__doc__": f"{model._meta.verbose_name_plural} as GeoJSON",  # type: ignore[attr-defined]
    }
    return type(f"{model.__name__}Layer", (LayerViewSet,), attrs)


TRACKED = ["origin", "source", "version"]


class PairingFeature(GeoFeatureModelSerializer):
    """A pairing drawn as the line from the unit to its community's center."""

    line = GeometrySerializerMethodField()

    def get_line(self, obj: Pairing) -> Any:
        return obj.line

    class Meta:
        model = Pairing
        geo_field = "line"
        fields: ClassVar[list[str]] = ["id", "unit", "community", "distance_m", "method",
                                       "status", "agreement_date", *TRACKED]


def pairing_layer() -> type[LayerViewSet]:
    # The line is derived, not a model field, so the schema describes it as an object.
    view = type("PairingLayer", (LayerViewSet,), {
        "queryset": Pairing.objects.select_related("unit", "community",
                                                   "community__own_center"),
        "serializer_class": PairingFeature,
        "filter_backends": [],
        "code_field": "community__code",
        "staff_only": True,
        "__doc__": "Co-building pairings as GeoJSON lines, unit → community",
    })
    return extend_schema_view(
        # A list view: the schema of one feature, wrapped in the pages' FeatureCollection.
        list=extend_schema(responses=sch.response(sch.PAIRING_FEATURE, "pairings as lines"),
                           operation_id="pairings_list", parameters=[WHOLE]),
        retrieve=extend_schema(responses=sch.response(sch.PAIRING_FEATURE, "one pairing"))
    )(view)
LAYERS: dict[str, type[LayerViewSet]] = {
    "districts": layer(District, "geom", ["code", "name", *TRACKED], "code"),
    "streets": layer(Street, "geom", ["code", "name", "district", *TRACKED], "code"),
    "communities": layer(Community, "geom", ["code", "name", "street", "households",
                                             "population", "party_members", "area_class",
                                             "code_provisional", *TRACKED], "code"),
    "grids": layer(GridUnit, "geom", ["code", "name", "community", "zone_type", "households",
                                      "households_estimated", "leader", "workers",
                                      "party_branch", *TRACKED], "code"),
    "centers": layer(ServiceCenter, "location", ["name", "level", "street", "community",
                                                 "floor_area", "opening_hours", "services",
                                                 "phone", "address", "licensed",
                                                 "comprehensive", *TRACKED],
                     "community__code"),
    "units": layer(CoBuildingUnit, "location", ["name", "unit_type", "party_members",
                                                "capacity", "address", "phone", "candidate",
                                                *TRACKED], None, staff_only=True),
    "pairings": pairing_layer(),
    "compounds": layer(Compound, "geom", ["name", "community", "households",
                                          "households_estimated", *TRACKED],
                       "community__code"),
    "buildings": layer(Building, "geom", ["name", "compound", "community", "levels",
                                          "residential", "households", "households_estimated",
                                          *TRACKED], "community__code"),
    "roads": layer(WalkEdge, "geom", ["length_m", "highway", "name", "osm_way_id"], None),
}
