"""Grid proposals for a community from the database: roads, water, walls and buildings."""

from __future__ import annotations

from typing import Any

import shapely.geometry

from geo.analysis.blocks import GridProposal, Site, propose_grids, spread_over
from geo.analysis.grid_edit import areas_m2
from geo.models import (
    Building,
    Community,
    Compound,
    GridUnit,
    LandFeature,
    ProposalDraft,
    WalkEdge,
)
from geo.models.basemap import LandKind
from geo.models.network import HighwayClass

from .grid_edit import to_shapely

LARGE_FOOTPRINT_M2 = 5000.0
WORK_LAND = [LandKind.COMMERCIAL, LandKind.INDUSTRIAL, LandKind.EDUCATION]

# Streets bound blocks; footways, paths, steps and compound service roads run inside them.
CUTTING_ROADS = [HighwayClass.TRUNK, HighwayClass.PRIMARY, HighwayClass.SECONDARY,
                 HighwayClass.TERTIARY, HighwayClass.RESIDENTIAL, HighwayClass.LIVING_STREET,
                 HighwayClass.PEDESTRIAN]


def inputs(community: Community) -> Site:
    """The community's shape, the lines grids may not cross, and its buildings."""
    geom = community.geom
    roads = [to_shapely(g) for g in WalkEdge.objects.filter(
        geom__intersects=geom, highway__in=CUTTING_ROADS).values_list("geom", flat=True)]
    water = [to_shapely(g).boundary for g in LandFeature.objects.filter(
        geom__intersects=geom, kind=LandKind.WATER).values_list("geom", flat=True)]
    walls = [to_shapely(g).boundary for g in Compound.objects.filter(
        geom__intersects=geom).values_list("geom", flat=True)]
    shape = to_shapely(geom)
    buildings = [(to_shapely(g), float(h)) for g, h in Building.objects.filter(
        geom__intersects=geom, households__gt=0).values_list("geom", "households")]
    # A "building" as large as a block (a residential area mapped as one outline) holds its
    # households over its area, not at one point that no grid boundary could divide.
    area = areas_m2([b for b, _ in buildings])
    small = [bh for bh, a in zip(buildings, area, strict=True) if a <= LARGE_FOOTPRINT_M2]
    points = [b.point_on_surface() for b, _ in small]
    households = [h for _, h in small]
    polys = [bh for bh, a in zip(buildings, area, strict=True) if a > LARGE_FOOTPRINT_M2]
    # Compounds whose households are not on their buildings: spread over their area.
    counted = Compound.objects.filter(geom__intersects=geom, households__gt=0).exclude(
        pk__in=Compound.objects.filter(buildings__households__gt=0).values("pk"))
    polys += [(to_shapely(g), float(h)) for g, h in counted.values_list("geom", "households")]
    if not points and not polys:  # no households anywhere: the current grids' counts
        polys = [(to_shapely(g), float(h)) for g, h in GridUnit.objects.filter(
            community=community).values_list("geom", "households")]
    more, more_hh = spread_over([p for p, _ in polys], [h for _, h in polys], shape)
    work = [to_shapely(g) for g in LandFeature.objects.filter(
        geom__intersects=geom, kind__in=WORK_LAND).values_list("geom", flat=True)]
    transport = [to_shapely(g) for g in LandFeature.objects.filter(
        geom__intersects=geom, kind=LandKind.TRANSPORT).values_list("geom", flat=True)]
    return Site(shape, roads + water + walls, points + more, households + more_hh, work,
                transport)


def save_draft(community: Community, result: GridProposal, user: Any = None,
               note: str = "") -> ProposalDraft:
    """Keep ``result`` for the editor to open (the community's grids stay as they are)."""
    return ProposalDraft.objects.create(
        community=community, note=note[:200],
        user=user if user is not None and user.is_authenticated else None,
        grids=[{"geometry": shapely.geometry.mapping(g), "households": round(h, 1),
                "zone_type": kind}
               for g, h, kind in zip(result.grids, result.households, result.kinds,
                                     strict=True)])


def propose(community: Community, lo: float, hi: float, target: float | None = None,
            time_limit: float = 1.0) -> GridProposal:
    """A proposal of grids for ``community`` (nothing is saved)."""
    return propose_from(inputs(community), lo, hi, target, time_limit)


def propose_from(site: Site, lo: float, hi: float, target: float | None = None,
                 time_limit: float = 1.0) -> GridProposal:
    """A proposal from :func:`inputs` already read."""
    return propose_grids(site, lo, hi, target, time_limit)
