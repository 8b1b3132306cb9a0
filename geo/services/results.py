"""What the services answer, as types: the commands print them, the API sends them as JSON.

mypy checks that each service builds its answer to these; the API's OpenAPI schemas
(webmap/api/schemas.py) are held to them by tests/web/test_it_result_types.py, and real
answers to the schemas by tests/web/test_it_api_schema.py.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from geo.analysis.pairing import PairingSummary

Geometry = dict[str, Any]  # GeoJSON geometry


class Notice(TypedDict):
    code: str
    message: str


class NamedCode(TypedDict):
    code: str
    name: str


class GridWorker(TypedDict, total=False):
    name: str
    phone: str


class GridPlace(TypedDict):
    code: str
    name: str
    leader: str | None
    workers: list[GridWorker]


class Place(TypedDict):
    """The community, street and grid covering a point."""

    community: NamedCode
    street: NamedCode
    grid: GridPlace | None


class NearestQuery(TypedDict):
    lon: float
    lat: float
    crs: str
    wgs84: list[float]
    k: int
    by: str
    measured: str


class NearestCenter(TypedDict):
    id: int
    name: str
    level: str
    floor_area_m2: float | None
    opening_hours: str
    services: list[str]
    phone: str
    address: str
    licensed: bool
    community_code: str | None
    distance_m: float
    walk_minutes: float | None
    route: Geometry | None


class NearestAnswer(TypedDict):
    query: NearestQuery
    profile: str
    place: Place | None
    centers: list[NearestCenter]
    notices: list[Notice]


class SearchHit(TypedDict):
    kind: str
    id: int
    name: str
    detail: str
    lon: float
    lat: float
    score: float


class MemberSuggestion(TypedDict):
    code: str
    name: str
    places: int
    distance_m: float


class CommunityMembers(TypedDict):
    code: str
    name: str
    members: int
    over_cap: bool
    overflow: int
    suggestions: list[MemberSuggestion]


class MembersReport(TypedDict):
    profile: str
    scope: str | None
    cap: int
    members_in_scope: int
    members_outside_every_community: int
    communities: list[CommunityMembers]
    unplaced_overflow: int


class FacilityReport(TypedDict):
    """Rows come from pandas frames (geo.analysis.facility), NaN as None."""

    profile: str
    profile_title: str  # in the active language
    scope: str | None
    ratio_m2_per_100_households: float
    min_m2: float
    communities: list[dict[str, Any]]
    centers: list[dict[str, Any]]


class Finding(TypedDict):
    kind: str
    grids: list[str]
    message: str
    area_m2: float | None
    geometry: Geometry | None


class CommunityFinding(Finding):
    community_code: str


class GridChecksReport(TypedDict):
    profile: str
    scope: str | None
    communities: int
    grids: int
    ok: bool
    counts: dict[str, int]
    findings: list[CommunityFinding]


class UncoveredCompound(TypedDict):
    id: int
    name: str
    households: int
    community_code: str | None
    community: str | None
    distance_m: float | None
    lon: float
    lat: float


# One row per grid/community/street/district: code, buildings, households, worst_m, and a
# share per reach named within_300m, within_500m, … (keys known only at run time).
ReachRow = dict[str, Any]


class CoverageReport(TypedDict):
    profile: str
    scope: str | None
    reaches_m: list[float]
    centers: int
    buildings: int
    levels: dict[str, list[ReachRow]]
    uncovered_compounds: list[UncoveredCompound]
    reach_areas: NotRequired[dict[str, Any]]


# "from" and "to" (the line on the map: the unit, the community's own center) are Python
# keywords, hence the functional form.
ProposedPair = TypedDict("ProposedPair", {
    "unit_id": int, "unit": str, "community_code": str, "community": str,
    "distance_m": float, "locked": bool, "from": list[float], "to": list[float]})


class CommunityPairing(TypedDict):
    code: str
    name: str
    households: int
    units: int
    cap: int
    min: int
    target: str


class PairingAnswer(TypedDict):
    summary: PairingSummary
    pairings: list[ProposedPair]
    per_community: list[CommunityPairing]
    greedy: NotRequired[PairingSummary]
    profile: NotRequired[str]
    metric: NotRequired[str]
    scope: NotRequired[str | None]
    fingerprint: NotRequired[str]
