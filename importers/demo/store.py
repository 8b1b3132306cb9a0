"""Write a demo city to the database, replacing any earlier demo in one transaction."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from geo.models import (
    Building,
    CoBuildingUnit,
    Community,
    CommunityStaffing,
    Compound,
    DirectionSign,
    District,
    GridUnit,
    LandFeature,
    Leader,
    LeaderLink,
    MemberActivity,
    Need,
    Origin,
    Pairing,
    Project,
    Rectification,
    ReportingMember,
    Resource,
    ServiceCenter,
    SignStatus,
    StarScore,
    Street,
    StreetStaffing,
    WalkEdge,
    WalkNode,
    Wish,
)
from geo.models.base import SRID
from geo.models.duties import DutyKind
from importers.copyload import copy_create, ewkb_hex

from .lists import demo_lists, demo_projects
from .organisation import demo_leaders, demo_staffing, demo_star_scores, demo_wishes
from .records import DemoCity

DEMO_ORIGINS = [Origin.GENERATED, Origin.DERIVED]
DEMO_SOURCE_PREFIX = "demo"

Progress = Callable[[str, int], None]


def _hex(geoms: Iterable[BaseGeometry]) -> list[Any]:
    """Hex EWKB made all at once: COPY sends it as is (typed Any: Django takes it as a
    geometry, its stubs do not know)."""
    return list(ewkb_hex(list(geoms)))


def _geos(geom: BaseGeometry) -> Any:
    return GEOSGeometry(memoryview(geom.wkb), srid=SRID)


def _demo_filter() -> dict[str, Any]:
    return {"source__startswith": DEMO_SOURCE_PREFIX}


def delete_demo() -> dict[str, int]:
    """Delete every row an earlier demo load wrote; return counts per model."""
    counts: dict[str, int] = {}
    # Children first: the hierarchy's foreign keys are PROTECT.
    for model in (DirectionSign, Project, Need, Resource, Pairing, Wish, MemberActivity,
                  ReportingMember, Rectification, StarScore, LeaderLink, Leader,
                  CommunityStaffing, StreetStaffing, Building, Compound, ServiceCenter,
                  CoBuildingUnit, GridUnit, Community, Street, District):
        counts[model.__name__], _ = model.objects.filter(**_demo_filter()).delete()
    counts["WalkEdge"], _ = WalkEdge.objects.filter(**_demo_filter()).delete()
    counts["LandFeature"], _ = LandFeature.objects.filter(**_demo_filter()).delete()
    counts["WalkNode"], _ = WalkNode.objects.filter(**_demo_filter()).delete()
    return counts


def _bulk(model: Any, rows: Iterable[Any], progress: Progress | None) -> list[Any]:
    objs = list(rows)
    # COPY for the big plain tables; audited ones go through bulk_create with history.
    created = copy_create(model, objs, reason="load_demo")
    if progress:
        progress(model._meta.verbose_name_plural, len(created))
    return list(created)


def _take_over_osm_rows(city: DemoCity) -> dict[int | None, int]:
    """Remove rows another command loaded from the same OSM objects; keep entered counts.

    One copy of each OSM object, whichever command loaded it: a derived demo over an extract
    that ``import_osm`` already loaded replaces those buildings, compounds and walk nodes
    (their edges go with the nodes) instead of doubling them, which would make coverage count
    every household twice. Counts someone entered (not estimated) carry over by OSM id.
    """
    building_ids = [r.osm_id for r in city.buildings if r.osm_id is not None]
    entered = dict(Building.objects.filter(osm_id__in=building_ids, households_estimated=False)
                   .values_list("osm_id", "households"))
    Building.objects.filter(osm_id__in=building_ids).delete()
    Compound.objects.filter(osm_id__in=[r.osm_id for r in city.compounds
                                        if r.osm_id is not None]).delete()
    WalkNode.objects.filter(osm_id__in=[r.osm_id for r in city.nodes
                                        if r.osm_id is not None]).delete()
    return entered


def _entered_count_changes(city: DemoCity, entered: dict[int | None, int]
                           ) -> tuple[dict[str, int], dict[str, int]]:
    """How entered counts change the derived communities' and grids' household totals."""
    comm: dict[str, int] = {}
    grid: dict[str, int] = {}
    grids = [(g.code, g.community_code, g.geom) for g in city.grids]
    for r in city.buildings:
        if r.osm_id not in entered or not r.community_code:
            continue
        delta = entered[r.osm_id] - r.households
        comm[r.community_code] = comm.get(r.community_code, 0) + delta
        point = r.geom.representative_point()
        code = next((c for c, cc, g in grids if cc == r.community_code and g.covers(point)),
                    None)
        if code is not None:
            grid[code] = grid.get(code, 0) + delta
    return comm, grid


def _store_hierarchy(city: DemoCity, common: dict[str, Any], comm_delta: dict[str, int],
                     grid_delta: dict[str, int], progress: Progress | None
                     ) -> tuple[dict[str, Street], dict[str, Community]]:
    """Districts, streets, communities and grids; the streets and communities by code."""
    districts = {
        d.code: d for d in _bulk(District, (
            District(code=r.code, name=r.name, geom=_geos(r.geom), **common)
            for r in city.districts), progress)
    }
    streets = {
        s.code: s for s in _bulk(Street, (
            Street(code=r.code, name=r.name, district=districts[r.district_code],
                   geom=_geos(r.geom), **common)
            for r in city.streets), progress)
    }
    communities = {
        c.code: c for c in _bulk(Community, (
            Community(code=r.code, name=r.name, street=streets[r.street_code],
                      geom=_geos(r.geom), households=r.households + comm_delta.get(r.code, 0),
                      population=r.population, party_members=r.party_members,
                      area_class=r.area_class, **common)
            for r in city.communities), progress)
    }
    _bulk(GridUnit, (
        GridUnit(code=r.code, name=r.name, community=communities[r.community_code],
                 geom=g, zone_type=r.zone_type,
                 households=r.households + grid_delta.get(r.code, 0),
                 households_estimated=r.households_estimated, leader=r.leader,
                 workers=r.workers, party_branch=r.party_branch, **common)
        for r, g in zip(city.grids, _hex(r.geom for r in city.grids), strict=True)), progress)
    return streets, communities


def _store_housing(city: DemoCity, common: dict[str, Any], communities: dict[str, Community],
                   counted: dict[int | None, int], progress: Progress | None) -> None:
    """Compounds and buildings (entered counts of OSM buildings carried over)."""
    compounds = dict(zip(
        (r.key for r in city.compounds),
        _bulk(Compound, (
            Compound(name=r.name, community=communities.get(r.community_code or ""),
                     geom=g, households=r.households,
                     households_estimated=r.households_estimated, osm_id=r.osm_id,
                     **common)
            for r, g in zip(city.compounds, _hex(r.geom for r in city.compounds),
                            strict=True)), progress),
        strict=True,
    ))
    _bulk(Building, (
        Building(name=r.name, compound=compounds.get(r.compound_key or ""),
                 community=communities.get(r.community_code or ""), geom=g,
                 levels=r.levels, residential=r.residential,
                 households=counted.get(r.osm_id, r.households),
                 households_estimated=r.households_estimated and r.osm_id not in counted,
                 osm_id=r.osm_id, **common)
        for r, g in zip(city.buildings, _hex(r.geom for r in city.buildings), strict=True)),
        progress)


def _store_services(city: DemoCity, common: dict[str, Any], streets: dict[str, Street],
                    communities: dict[str, Community], progress: Progress | None) -> None:
    """Service centers, co-building units, their pairings and the reporting members."""
    _bulk(ServiceCenter, (
        ServiceCenter(name=r.name, level=r.level, street=streets.get(r.street_code or ""),
                      community=communities.get(r.community_code or ""),
                      location=_geos(r.location), floor_area=r.floor_area,
                      opening_hours=r.opening_hours, services=r.services, phone=r.phone,
                      address=r.address, licensed=r.licensed, comprehensive=r.comprehensive,
                      origin=r.origin, source=city.source)
        for r in city.centers), progress)
    units = dict(zip(
        (r.key for r in city.units),
        _bulk(CoBuildingUnit, (
            CoBuildingUnit(name=r.name, unit_type=r.unit_type, location=_geos(r.location),
                           party_members=r.party_members, capacity=r.capacity,
                           address=r.address, phone=r.phone, origin=r.origin,
                           source=city.source)
            for r in city.units), progress),
        strict=True,
    ))
    _bulk(Pairing, (
        Pairing(unit=units[r.unit_key], community=communities[r.community_code],
                status=r.status, agreement_date=r.agreement_date, **common)
        for r in city.pairings), progress)
    members = _bulk(ReportingMember, (
        ReportingMember(name=r.name, phone=r.phone, id_number=r.id_number,
                        home_unit=units.get(r.home_unit_key or ""),
                        residence=_geos(r.residence),
                        residence_community=communities.get(r.residence_community_code or ""),
                        reported_community=communities.get(r.reported_community_code or ""),
                        reported_on=r.reported_on, **common)
        for r in city.members), progress)
    _bulk(MemberActivity, demo_activities(members, timezone.localdate(), common), progress)


def _store_organisation(communities: list[Community], streets: list[Street],
                        common: dict[str, Any], progress: Progress | None) -> None:
    today = timezone.localdate()
    comm_rows, street_rows = demo_staffing(communities, streets, today, common)
    _bulk(CommunityStaffing, comm_rows, progress)
    _bulk(StreetStaffing, street_rows, progress)
    leaders, links = demo_leaders(communities, streets, today, common)
    _bulk(Leader, leaders, progress)
    _bulk(LeaderLink, links, progress)
    _bulk(StarScore, demo_star_scores(communities, today, common), progress)
    members: dict[int, list[int]] = {}
    for pk, cid in ReportingMember.objects.filter(
            reported_community__in=communities).values_list("pk", "reported_community_id"):
        members.setdefault(cid, []).append(pk)
    units = list(CoBuildingUnit.objects.filter(candidate=False, source=common["source"])
                 .values_list("pk", flat=True))
    _bulk(Wish, demo_wishes(communities, members, units, today, common), progress)
    needs, resources = demo_lists(communities, list(CoBuildingUnit.objects.filter(
        pk__in=units)), today, common)
    needs = _bulk(Need, needs, progress)
    resources = _bulk(Resource, resources, progress)
    _bulk(Project, demo_projects(needs, resources, today, common), progress)


def demo_activities(members: list[ReportingMember], today: dt.date,
                    common: dict[str, Any]) -> Iterator[MemberActivity]:
    """Plausible "五个一" records this year and last: most members do most duties, some
    none; the same members give the same records on the same day."""
    rng = random.Random(2026)
    kinds = list(DutyKind.values)
    for m in members:
        if m.reported_community_id is None:
            continue
        keen = rng.random()  # how much of the year's duties this member does
        seen: set[tuple[str, dt.date]] = set()
        for year in (today.year - 1, today.year):
            first = dt.date(year, 1, 1)
            days = ((today if year == today.year else dt.date(year, 12, 31)) - first).days + 1
            for kind in kinds:
                for _n in range(rng.choice((1, 1, 1, 2))):
                    on = first + dt.timedelta(days=rng.randrange(days))
                    if rng.random() < 0.35 + 0.6 * keen and (kind, on) not in seen:
                        seen.add((kind, on))
                        yield MemberActivity(member=m, kind=kind, on=on,
                                             community_id=m.reported_community_id, **common)


def _store_network(city: DemoCity, progress: Progress | None) -> None:
    nodes = dict(zip(
        (r.key for r in city.nodes),
        _bulk(WalkNode, (WalkNode(geom=g, osm_id=r.osm_id, source=city.source)
                         for r, g in zip(city.nodes, _hex(r.geom for r in city.nodes),
                                         strict=True)), progress),
        strict=True,
    ))
    _bulk(WalkEdge, (
        WalkEdge(start=nodes[r.start], end=nodes[r.end], geom=g,
                 length_m=r.length_m, highway=r.highway, name=r.name,
                 osm_way_id=r.osm_way_id, source=city.source)
        for r, g in zip(city.edges, _hex(r.geom for r in city.edges), strict=True)), progress)


def _store_signs(city: DemoCity, common: dict[str, Any], progress: Progress | None) -> None:
    """The sign plan of each demo district, saved; per center the sign guiding the most
    households stands already and the next is approved, as a programme under way."""
    from geo.analysis.rules import load_profile
    from geo.services.signs import save_plan, scope_signs

    saved = 0
    for d in city.districts:
        saved += save_plan(scope_signs(d.code, load_profile()), **common)
    seen: dict[int, int] = {}
    today = timezone.localdate()
    for sign in DirectionSign.objects.filter(**_demo_filter()).order_by(
            "center_id", "-households", "pk"):
        rank = seen[sign.center_id] = seen.get(sign.center_id, -1) + 1
        if rank < 2:
            sign.status = SignStatus.INSTALLED if rank == 0 else SignStatus.APPROVED
            sign.installed_on = today - dt.timedelta(days=90) if rank == 0 else None
            sign.save(update_fields=["status", "installed_on"])
    if progress:
        progress(str(DirectionSign._meta.verbose_name_plural), saved)


def store_demo(city: DemoCity, progress: Progress | None = None) -> dict[str, int]:
    """Replace the demo in the database with ``city``; all or nothing.

    Returns the number of rows written per model.
    """
    common = {"origin": city.origin, "source": city.source}
    with transaction.atomic():
        delete_demo()
        counted = _take_over_osm_rows(city)
        comm_delta, grid_delta = _entered_count_changes(city, counted)
        streets, communities = _store_hierarchy(city, common, comm_delta, grid_delta,
                                                progress)
        _store_housing(city, common, communities, counted, progress)
        _store_services(city, common, streets, communities, progress)
        _store_organisation(list(communities.values()), list(streets.values()), common,
                            progress)
        _store_network(city, progress)
        _store_signs(city, common, progress)
        _bulk(LandFeature, (LandFeature(kind=r.kind, name=r.name, geom=_geos(r.geom),
                                        osm_id=r.osm_id, osm_type=r.osm_type,
                                        source=city.source) for r in city.land), progress)
    return {
        "districts": len(city.districts), "streets": len(city.streets),
        "communities": len(city.communities), "grids": len(city.grids),
        "compounds": len(city.compounds), "buildings": len(city.buildings),
        "centers": len(city.centers), "units": len(city.units),
        "pairings": len(city.pairings), "members": len(city.members),
        "nodes": len(city.nodes), "edges": len(city.edges),
    }
