"""Models of wangge's domain (DESIGN §2), one module per concern."""

from .accounts import Account, LoginLock, PersonalDataAccess
from .base import Origin
from .basemap import LandFeature, LandKind
from .buildings import Building, Compound
from .drafts import ProposalDraft
from .duties import DutyKind, MemberActivity
from .events import Event, EventPhoto, EventStep, ReporterKind, Urgency
from .facilities import (
    CenterLevel,
    CenterService,
    CoBuildingUnit,
    CommunityOwnCenter,
    Pairing,
    PairingMethod,
    PairingStatus,
    ServiceCenter,
    UnitType,
)
from .hierarchy import AreaClass, Community, District, GridUnit, Street, ZoneType
from .history import GridChange, GridChangeset, GridOperation
from .imports import ImportBusy, ImportRun, ImportStatus
from .jobs import Job, JobKind, JobNotRunnable, JobStatus
from .leaders import Leader, LeaderLevel, LeaderLink
from .lists import ListKind, Need, NeedStatus, Project, ProjectMethod, ProjectStatus, Resource
from .network import HighwayClass, NetworkVersion, WalkEdge, WalkNode
from .people import ReportingMember
from .region import RegionResult, RegionRun
from .search import NameSpelling
from .signs import DirectionSign, SignStatus
from .staffing import CommunityStaffing, StreetStaffing
from .stars import Rectification, RectificationStatus, StarScore
from .wishes import Wish, WishCategory, WishStatus

__all__ = [
    "Account",
    "AreaClass",
    "Building",
    "CenterLevel",
    "CenterService",
    "CoBuildingUnit",
    "Community",
    "CommunityOwnCenter",
    "CommunityStaffing",
    "Compound",
    "DirectionSign",
    "District",
    "DutyKind",
    "Event",
    "EventPhoto",
    "EventStep",
    "GridChange",
    "GridChangeset",
    "GridOperation",
    "GridUnit",
    "HighwayClass",
    "ImportBusy",
    "ImportRun",
    "ImportStatus",
    "Job",
    "JobKind",
    "JobNotRunnable",
    "JobStatus",
    "LandFeature",
    "LandKind",
    "Leader",
    "LeaderLevel",
    "LeaderLink",
    "ListKind",
    "LoginLock",
    "MemberActivity",
    "NameSpelling",
    "Need",
    "NeedStatus",
    "NetworkVersion",
    "Origin",
    "Pairing",
    "PairingMethod",
    "PairingStatus",
    "PersonalDataAccess",
    "Project",
    "ProjectMethod",
    "ProjectStatus",
    "ProposalDraft",
    "Rectification",
    "RectificationStatus",
    "RegionResult",
    "RegionRun",
    "ReporterKind",
    "ReportingMember",
    "Resource",
    "ServiceCenter",
    "SignStatus",
    "StarScore",
    "Street",
    "StreetStaffing",
    "UnitType",
    "Urgency",
    "WalkEdge",
    "WalkNode",
    "Wish",
    "WishCategory",
    "WishStatus",
    "ZoneType",
]
