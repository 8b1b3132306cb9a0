"""The feature collections of /ogcapi/: what each selects, its properties and who may read it.

Each collection is one SQL ``SELECT`` over PostGIS yielding ``geom`` (WGS84, lon/lat),
``id`` (the primary key: the keyset the pages walk) and the property columns. Related
objects are named by their hierarchy code, not by a database id a GIS user cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from geo.models.tables import sql, table

# JSON-schema types of the properties (``date-time``/``date`` are strings with a format).
STRING, INTEGER, NUMBER, BOOLEAN, DATETIME, DATE = (
    "string", "integer", "number", "boolean", "date-time", "date")


@dataclass(frozen=True)
class Collection:
    """One collection: ``select`` gives ``geom``, ``id`` and the ``properties``' columns.

    ``queryables`` are the properties a client may filter on by equality (each backed by an
    index, directly or through the join to an indexed code). ``temporal`` is the property the
    ``datetime`` parameter filters (None: the collection has no time). ``staff_perm`` names
    the model whose view permission a reader needs; ``scope_where`` (on the select's row
    ``s``, parameter ``%(scope)s`` = a code prefix then ``%``) keeps a staff user's scope.
    """

    id: str
    title: StrOrPromise
    description: StrOrPromise
    select: str
    properties: dict[str, str]
    geometry: str  # GeoJSON geometry type the collection holds
    table: str
    column: str = "geom"
    queryables: tuple[str, ...] = ()
    temporal: str | None = "updated_at"
    staff_perm: str = ""
    scope_where: str = ""
    tiles: str = ""  # the vector-tile layer of /tiles/ drawing it ("" none)

    @property
    def model(self) -> str:
        """The geo model whose table the collection reads (for labels of its fields)."""
        return MODELS[self.table]


MODELS = {table(m): m for m in ("District", "Street", "Community", "GridUnit", "ServiceCenter",
                                "Compound", "Building", "WalkEdge", "CoBuildingUnit", "Pairing")}
TRACKED = {"origin": STRING, "source": STRING, "version": INTEGER, "updated_at": DATETIME}
_TRACKED_SQL = "t.origin, t.source, t.version, t.updated_at"

COLLECTIONS: dict[str, Collection] = {c.id: c for c in [
    Collection(
        "districts", pgettext_lazy("layer", "区县"), pgettext_lazy("ogc", "区县边界"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, t.code_provisional, {_TRACKED_SQL} "
            "FROM {District} t"),
        {"code": STRING, "name": STRING, "code_provisional": BOOLEAN, **TRACKED},
        "MultiPolygon", table("District"), queryables=("code",), tiles="districts"),
    Collection(
        "streets", pgettext_lazy("layer", "街道"), pgettext_lazy("ogc", "街道（乡镇）边界"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, d.code AS district_code, "
            f"t.code_provisional, {_TRACKED_SQL} "
            "FROM {Street} t JOIN {District} d ON d.id = t.district_id"),
        {"code": STRING, "name": STRING, "district_code": STRING, "code_provisional": BOOLEAN,
         **TRACKED},
        "MultiPolygon", table("Street"), queryables=("code", "district_code"), tiles="streets"),
    Collection(
        "communities", pgettext_lazy("layer", "社区"),
        pgettext_lazy("ogc", "社区边界、户数、人口和党员数"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, s.code AS street_code, t.households, "
            f"t.population, t.party_members, t.area_class, t.code_provisional, {_TRACKED_SQL} "
            "FROM {Community} t JOIN {Street} s ON s.id = t.street_id"),
        {"code": STRING, "name": STRING, "street_code": STRING, "households": INTEGER,
         "population": INTEGER, "party_members": INTEGER, "area_class": STRING,
         "code_provisional": BOOLEAN, **TRACKED},
        "MultiPolygon", table("Community"), queryables=("code", "street_code"),
        tiles="communities"),
    Collection(
        "grids", pgettext_lazy("layer", "网格"),
        pgettext_lazy("ogc", "网格单元：边界、户数、类型和网格长"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, c.code AS community_code, t.zone_type, "
            f"t.households, t.households_estimated, t.leader, t.party_branch, "
            f"t.code_provisional, {_TRACKED_SQL} "
            "FROM {GridUnit} t JOIN {Community} c ON c.id = t.community_id"),
        {"code": STRING, "name": STRING, "community_code": STRING, "zone_type": STRING,
         "households": INTEGER, "households_estimated": BOOLEAN, "leader": STRING,
         "party_branch": STRING, "code_provisional": BOOLEAN, **TRACKED},
        "MultiPolygon", table("GridUnit"), queryables=("code", "community_code"),
        tiles="grids"),
    Collection(
        "centers", pgettext_lazy("layer", "党群服务中心"),
        pgettext_lazy("ogc", "党群服务中心：层级、面积、开放时间、服务和电话"),
        sql(f"SELECT t.location AS geom, t.id, t.code, t.name, t.level, "
            f"s.code AS street_code, c.code AS community_code, t.floor_area, "
            f"t.opening_hours, array_to_string(t.services, ';') AS services, t.phone, "
            f"t.address, t.licensed, t.comprehensive, {_TRACKED_SQL} "
            "FROM {ServiceCenter} t LEFT JOIN {Street} s ON s.id = t.street_id "
            "LEFT JOIN {Community} c ON c.id = t.community_id"),
        {"code": STRING, "name": STRING, "level": STRING, "street_code": STRING,
         "community_code": STRING, "floor_area": NUMBER, "opening_hours": STRING,
         "services": STRING, "phone": STRING, "address": STRING, "licensed": BOOLEAN,
         "comprehensive": BOOLEAN, **TRACKED},
        "Point", table("ServiceCenter"), column="location",
        queryables=("community_code", "street_code"), tiles="centers"),
    Collection(
        "compounds", pgettext_lazy("layer", "小区"), pgettext_lazy("ogc", "小区边界和户数"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, c.code AS community_code, t.households, "
            f"t.households_estimated, t.osm_id, {_TRACKED_SQL} "
            "FROM {Compound} t LEFT JOIN {Community} c ON c.id = t.community_id"),
        {"code": STRING, "name": STRING, "community_code": STRING, "households": INTEGER,
         "households_estimated": BOOLEAN, "osm_id": INTEGER, **TRACKED},
        "Polygon", table("Compound"), queryables=("community_code",), tiles="compounds"),
    Collection(
        "buildings", pgettext_lazy("layer", "楼栋"),
        pgettext_lazy("ogc", "楼栋轮廓、层数和户数"),
        sql(f"SELECT t.geom, t.id, t.code, t.name, t.compound_id, c.code AS community_code, "
            f"t.levels, t.residential, t.households, t.households_estimated, t.osm_id, "
            f"{_TRACKED_SQL} "
            "FROM {Building} t LEFT JOIN {Community} c ON c.id = t.community_id"),
        {"code": STRING, "name": STRING, "compound_id": INTEGER, "community_code": STRING,
         "levels": INTEGER, "residential": BOOLEAN, "households": INTEGER,
         "households_estimated": BOOLEAN, "osm_id": INTEGER, **TRACKED},
        "Polygon", table("Building"), queryables=("community_code", "compound_id"),
        tiles="buildings"),
    Collection(
        "roads", pgettext_lazy("layer", "道路"), pgettext_lazy("ogc", "步行路网的路段"),
        sql("SELECT t.geom, t.id, t.highway, t.name, t.length_m, t.osm_way_id, t.source "
            "FROM {WalkEdge} t"),
        {"highway": STRING, "name": STRING, "length_m": NUMBER, "osm_way_id": INTEGER,
         "source": STRING},
        "LineString", table("WalkEdge"), temporal=None, tiles="roads"),
    Collection(
        "units", pgettext_lazy("layer", "共建单位"),
        pgettext_lazy("ogc", "共建单位（工作人员可见，限其工作范围）"),
        sql(f"SELECT t.location AS geom, t.id, t.code, t.name, t.unit_type, t.party_members, "
            f"t.capacity, t.address, t.phone, t.candidate, {_TRACKED_SQL} "
            "FROM {CoBuildingUnit} t"),
        {"code": STRING, "name": STRING, "unit_type": STRING, "party_members": INTEGER,
         "capacity": INTEGER, "address": STRING, "phone": STRING, "candidate": BOOLEAN,
         **TRACKED},
        "Point", table("CoBuildingUnit"), column="location", queryables=("unit_type",),
        staff_perm="cobuildingunit",
        # A unit belongs to the community it stands in, as in geo.services.access.
        scope_where=sql("EXISTS (SELECT 1 FROM {Community} c WHERE c.code LIKE %(scope)s "
                        "AND ST_Intersects(c.geom, s.geom))"),
        tiles="units"),
    Collection(
        "pairings", pgettext_lazy("layer", "结对共建"),
        pgettext_lazy("ogc", "结对共建：从共建单位到社区的连线（工作人员可见，限其工作范围）"),
        sql(f"""SELECT ST_MakeLine(u.location, COALESCE(
                      (SELECT oc.location FROM {{CommunityOwnCenter}} oc
                       WHERE oc.community_id = c.id), ST_PointOnSurface(c.geom))) AS geom,
                  t.id, t.unit_id, u.name AS unit_name, u.unit_type, c.code AS community_code,
                  c.name AS community_name, t.distance_m, t.method, t.status,
                  t.agreement_date, {_TRACKED_SQL}
           FROM {{Pairing}} t JOIN {{CoBuildingUnit}} u ON u.id = t.unit_id
           JOIN {{Community}} c ON c.id = t.community_id"""),
        {"unit_id": INTEGER, "unit_name": STRING, "unit_type": STRING,
         "community_code": STRING, "community_name": STRING, "distance_m": NUMBER,
         "method": STRING, "status": STRING, "agreement_date": DATE, **TRACKED},
        "LineString", table("Pairing"), queryables=("community_code", "status"),
        staff_perm="pairing", scope_where="s.community_code LIKE %(scope)s", tiles="pairings"),
]}
