"""Plain records of a demo city, geometries as shapely objects in EPSG:4326."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

if TYPE_CHECKING:  # the osm modules load geopandas: not for the generated demo
    from importers.osm_layers import LandRow


@dataclass
class DistrictRec:
    code: str
    name: str
    geom: MultiPolygon


@dataclass
class StreetRec:
    code: str
    name: str
    district_code: str
    geom: MultiPolygon


@dataclass
class CommunityRec:
    code: str
    name: str
    street_code: str
    geom: MultiPolygon
    households: int
    population: int
    party_members: int
    area_class: str = "central"


@dataclass
class GridRec:
    code: str
    name: str
    community_code: str
    geom: MultiPolygon
    households: int
    zone_type: str = "residential"
    households_estimated: bool = False
    leader: str = ""
    workers: list[dict[str, str]] = field(default_factory=list)
    party_branch: str = ""


@dataclass
class CompoundRec:
    key: str
    name: str
    community_code: str | None
    geom: Polygon
    households: int
    households_estimated: bool = False
    osm_id: int | None = None


@dataclass
class BuildingRec:
    compound_key: str | None
    community_code: str | None
    geom: Polygon
    levels: int | None
    households: int
    residential: bool = True
    households_estimated: bool = False
    name: str = ""
    osm_id: int | None = None


@dataclass
class CenterRec:
    name: str
    level: str
    street_code: str | None
    community_code: str | None
    location: Point
    floor_area: float
    opening_hours: str
    services: list[str]
    phone: str
    address: str
    licensed: bool = True
    comprehensive: bool = False
    origin: str = "generated"


@dataclass
class UnitRec:
    key: str
    name: str
    unit_type: str
    location: Point
    party_members: int
    capacity: int
    address: str = ""
    phone: str = ""
    origin: str = "generated"


@dataclass
class PairingRec:
    unit_key: str
    community_code: str
    status: str
    agreement_date: dt.date | None = None


@dataclass
class MemberRec:
    name: str
    phone: str
    id_number: str
    home_unit_key: str | None
    residence: Point
    residence_community_code: str | None
    reported_community_code: str | None
    reported_on: dt.date | None = None


@dataclass
class NodeRec:
    key: int
    geom: Point
    osm_id: int | None = None


@dataclass
class EdgeRec:
    start: int
    end: int
    geom: LineString
    length_m: float
    highway: str
    name: str = ""
    osm_way_id: int | None = None


@dataclass
class DemoCity:
    """Everything a demo load writes; ``origin`` is generated or derived."""

    origin: str
    source: str
    districts: list[DistrictRec] = field(default_factory=list)
    streets: list[StreetRec] = field(default_factory=list)
    communities: list[CommunityRec] = field(default_factory=list)
    grids: list[GridRec] = field(default_factory=list)
    compounds: list[CompoundRec] = field(default_factory=list)
    buildings: list[BuildingRec] = field(default_factory=list)
    centers: list[CenterRec] = field(default_factory=list)
    units: list[UnitRec] = field(default_factory=list)
    pairings: list[PairingRec] = field(default_factory=list)
    members: list[MemberRec] = field(default_factory=list)
    nodes: list[NodeRec] = field(default_factory=list)
    edges: list[EdgeRec] = field(default_factory=list)
    land: list[LandRow] = field(default_factory=list)  # water and land use (derived demo)
