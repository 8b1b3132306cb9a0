"""Buildings, compounds, basemap areas and candidate units from an OSM extract (Django-free).

Households follow :mod:`geo.analysis.households`: residential buildings by footprint ×
levels; a compound (``landuse=residential``, or any area named …小区) holds the
residential buildings inside it, or, with none mapped, its area × FAR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.analysis.households import RESIDENTIAL_BUILDINGS, UNIT_TYPES, HouseholdModel, levels
from geo.analysis.projection import GEOD

from .osm import OsmExtract

WATER = {"water", "riverbank", "dock", "reservoir", "basin"}
LAND_KIND = {"residential": "residential", "commercial": "commercial", "retail": "commercial",
             "industrial": "industrial", "education": "education", "grass": "park",
             "recreation_ground": "park", "village_green": "park", "park": "park",
             "garden": "park"}


@dataclass
class BuildingRow:
    osm_id: int
    name: str
    geom: Polygon
    levels: int | None  # as tagged
    residential: bool
    households: int  # estimated


@dataclass
class CompoundRow:
    osm_id: int
    name: str
    geom: Polygon
    households: int  # estimated


@dataclass
class LandRow:
    osm_type: str
    osm_id: int
    kind: str
    name: str
    geom: MultiPolygon


@dataclass
class CandidateRow:
    osm_id: int
    name: str
    unit_type: str
    location: Point


@dataclass
class OsmLayers:
    buildings: list[BuildingRow]
    compounds: list[CompoundRow]
    land: list[LandRow]
    candidates: list[CandidateRow]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def largest_polygon(g: BaseGeometry) -> Polygon | None:
    """The polygon itself, or a MultiPolygon's largest part; None for anything else."""
    if isinstance(g, Polygon):
        return g
    if isinstance(g, MultiPolygon):
        return max(g.geoms, key=lambda p: p.area)
    return None


def _area(g: BaseGeometry) -> float:
    return abs(GEOD.geometry_area_perimeter(g)[0])


def osm_layers(extract: OsmExtract, model: HouseholdModel | None = None) -> OsmLayers:
    """Split the extract's features into the layers import_osm stores."""
    mdl = model or HouseholdModel()
    feats = extract.features
    polys = feats[feats.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    name = polys["name"].map(_text)
    is_compound = (polys["landuse"] == "residential") | name.str.endswith("小区")
    compounds = polys[is_compound]
    comp_geoms = [largest_polygon(g) for g in compounds.geometry]
    buildings, comp_hh = _buildings(polys[polys["building"].notna() & ~is_compound],
                                    comp_geoms, mdl)
    return OsmLayers(buildings, _compounds(compounds, comp_geoms, comp_hh, mdl),
                     land_rows(polys), _candidates(feats))


def _buildings(chosen: Any, comp_geoms: list[Polygon | None], mdl: HouseholdModel
               ) -> tuple[list[BuildingRow], npt.NDArray[np.float64]]:
    """Buildings with estimated households, and the households each compound gathers."""
    tree = shapely.STRtree([g if g is not None else Polygon() for g in comp_geoms])
    comp_hh = np.zeros(len(comp_geoms))
    buildings: list[BuildingRow] = []
    level_tags = chosen["building:levels"].tolist()  # not an identifier: itertuples renames it
    for k, row in enumerate(chosen.itertuples()):
        poly = largest_polygon(row.geometry)
        if poly is None or not poly.is_valid:
            continue
        tagged = levels(level_tags[k], 0) or None
        kind = str(row.building)
        inside = tree.query(poly.representative_point(), predicate="within").tolist()
        residential = kind in RESIDENTIAL_BUILDINGS or (kind == "yes" and bool(inside))
        hh = mdl.building(_area(poly), tagged) if residential else 0
        for i in inside:
            comp_hh[i] += hh
        buildings.append(BuildingRow(int(row.id), _text(row.name)[:150], poly, tagged,
                                     residential, hh))
    return buildings, comp_hh


def _compounds(compounds: Any, comp_geoms: list[Polygon | None],
               comp_hh: npt.NDArray[np.float64], mdl: HouseholdModel) -> list[CompoundRow]:
    """Compounds with their buildings' households, or an estimate from their area."""
    rows = []
    for i, row in enumerate(compounds.itertuples()):
        poly = comp_geoms[i]
        if poly is None or not poly.is_valid:
            continue
        hh = int(comp_hh[i]) or round(_area(poly) * mdl.residential_far * mdl.usable_ratio
                                      / mdl.m2_per_household)
        label = _text(row.name)[:150] or f"居住区 OSM {row.element} {row.id}"
        rows.append(CompoundRow(int(row.id), label, poly, hh))
    return rows


def _land_kind(row: Any) -> str | None:
    tags = {k: _text(getattr(row, k)) for k in ("natural", "waterway", "leisure", "landuse",
                                                "railway", "public_transport", "station",
                                                "amenity")}
    # Stations and their yards above ground (a metro station's outline lies under a street).
    if tags["station"] != "subway" and (
            tags["railway"] in ("station", "halt") or tags["public_transport"] == "station"
            or tags["amenity"] == "bus_station" or tags["landuse"] == "railway"):
        return "transport"
    if tags["natural"] in WATER or tags["waterway"] in WATER or tags["landuse"] in WATER:
        return "water"
    if tags["leisure"] in LAND_KIND or tags["landuse"] in LAND_KIND:
        return LAND_KIND.get(tags["leisure"]) or LAND_KIND[tags["landuse"]]
    return "other" if tags["landuse"] else None


def land_rows(polys: Any) -> list[LandRow]:
    """Water, parks and other land use as multipolygons."""
    land = []
    for row in polys.itertuples():
        kind = _land_kind(row)
        if kind is None:
            continue
        geom = row.geometry if row.geometry.is_valid else shapely.make_valid(row.geometry)
        parts = [p for p in getattr(geom, "geoms", [geom]) if isinstance(p, Polygon)]
        if parts:
            land.append(LandRow(str(row.element), int(row.id), kind, _text(row.name)[:150],
                                MultiPolygon(parts)))
    return land


def _candidates(feats: Any) -> list[CandidateRow]:
    """Named offices and institutions that may become co-building units, once each."""
    candidates = []
    seen: set[int] = set()
    for row in feats.itertuples():
        kind = _text(row.amenity) or _text(row.office)
        label = _text(row.name)
        if kind not in UNIT_TYPES or not label or int(row.id) in seen:
            continue
        seen.add(int(row.id))
        candidates.append(CandidateRow(int(row.id), label[:150], UNIT_TYPES[kind],
                                       row.geometry.representative_point()))
    return candidates
