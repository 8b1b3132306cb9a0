"""A demo district derived from a real OSM extract (Django-free).

Roads split the extract into blocks (``polygonize`` of the road linework), so
every boundary follows a road. Households are estimated from mapped buildings
and residential areas (:class:`HouseholdModel`). Blocks are grown into
communities of about :attr:`DeriveParams.community_target` households, and each
community's blocks (split into strips where one block holds too many
households) are grown into grid units of about 150-500 households. Everything
derived is marked ``derived``; whatever had to be invented (names, centers
where OSM has none, members) is marked ``generated``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.analysis.codes import child_code
from geo.analysis.grid_checks import reading_order
from geo.analysis.households import RESIDENTIAL_BUILDINGS, UNIT_TYPES, HouseholdModel
from geo.analysis.households import levels as _levels
from importers.osm import OsmExtract
from importers.osm_layers import land_rows
from importers.osm_layers import largest_polygon as _polygon

from . import names
from .records import (
    BuildingRec,
    CenterRec,
    CommunityRec,
    CompoundRec,
    DemoCity,
    DistrictRec,
    EdgeRec,
    GridRec,
    MemberRec,
    NodeRec,
    PairingRec,
    StreetRec,
    UnitRec,
)

DISTRICT_CODE = "510198"
SOURCE_PREFIX = "demo-osm"
# Roads that bound blocks; paths and service lanes run inside blocks and compounds.
BLOCK_ROADS = {"trunk", "primary", "secondary", "tertiary", "residential", "living_street"}




class DerivationError(ValueError):
    """The extract holds too little to derive a demo district; the message says what."""


@dataclass(frozen=True)
class DeriveParams:
    """Sizes of the derived communities and grids."""

    community_target: int = 2800
    community_max: int = 4000
    community_min: int = 1500
    community_max_area_m2: float = 1_200_000.0
    grid_min: int = 150
    grid_max: int = 500
    grid_target: int = 330
    min_block_area_m2: float = 1500.0
    min_block_width_m: float = 8.0


# Blocks facing each other across a road this wide (degrees, about 50 m) are neighbours:
# a community may span a street, as real ones do.
ROAD_GAP = 0.0005


def _mp(g: BaseGeometry) -> MultiPolygon:
    if isinstance(g, MultiPolygon):
        return g
    if isinstance(g, Polygon):
        return MultiPolygon([g])
    polys = [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]
    return MultiPolygon(polys)


class _Measure:
    """Areas, lengths and positions in metres for geometries kept in degrees."""

    def __init__(self, crs: object) -> None:
        self.crs = crs

    def areas(self, geoms: Sequence[BaseGeometry]) -> np.ndarray:
        return gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(self.crs).area.to_numpy()

    def xy(self, geoms: Sequence[BaseGeometry]) -> np.ndarray:
        pts = gpd.GeoSeries([g.representative_point() for g in geoms], crs="EPSG:4326")
        pts = pts.to_crs(self.crs)
        return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _adjacency(polys: Sequence[BaseGeometry], across: float = 0.0) -> list[set[int]]:
    """Indices of polygons sharing a boundary segment (not just a corner).

    With ``across`` (degrees) > 0, polygons facing each other over a gap that narrow (a
    road between two blocks) along at least that length are neighbours too.
    """
    tree = shapely.STRtree(polys)
    adj: list[set[int]] = [set() for _ in polys]
    left, right = tree.query(polys, predicate="dwithin", distance=across) if across else \
        tree.query(polys, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            if across:
                shared = polys[i].boundary.intersection(polys[j].buffer(across))
                near = shared.length > across
            else:
                near = polys[i].boundary.intersection(polys[j].boundary).length > 1e-7
            if near:  # (1e-7° is about a centimetre)
                adj[i].add(j)
                adj[j].add(i)
    return adj


def _grow(
    order: Sequence[int],
    adj: Sequence[set[int]],
    weight: np.ndarray,
    xy: np.ndarray,
    target: float,
    hard_max: float,
    area: np.ndarray | None = None,
    max_area: float = math.inf,
) -> list[list[int]]:
    """Greedy compact region growing: seed in ``order``, add the nearest neighbour.

    A region stops at ``target`` weight (or ``max_area``); a neighbour that would
    push it past ``hard_max`` is skipped.
    """
    owner = [-1] * len(weight)
    regions: list[list[int]] = []
    for seed in order:
        if owner[seed] != -1:
            continue
        rid = len(regions)
        members = [seed]
        owner[seed] = rid
        total = float(weight[seed])
        size = float(area[seed]) if area is not None else 0.0
        frontier = set(adj[seed])
        while frontier and total < target and size < max_area:
            cands = [c for c in frontier if owner[c] == -1 and total + weight[c] <= hard_max]
            frontier = {c for c in frontier if owner[c] == -1}
            if not cands:
                break
            cx, cy = xy[members].mean(axis=0)
            best = min(cands, key=lambda c: (xy[c, 0] - cx) ** 2 + (xy[c, 1] - cy) ** 2)
            members.append(best)
            owner[best] = rid
            total += float(weight[best])
            size += float(area[best]) if area is not None else 0.0
            frontier.discard(best)
            frontier |= {n for n in adj[best] if owner[n] == -1}
        regions.append(members)
    return regions


def _merge_small(regions: list[list[int]], adj: Sequence[set[int]], weight: np.ndarray,
                 small: float, hard_max: float) -> list[list[int]]:
    """Merge each region under ``small`` into its lightest neighbour when that stays legal."""
    owner = {i: r for r, members in enumerate(regions) for i in members}
    sums = [float(weight[m].sum()) for m in regions]
    alive = [True] * len(regions)
    for r in sorted(range(len(regions)), key=lambda k: sums[k]):
        if not alive[r] or sums[r] >= small:
            continue
        neighbours = {owner[n] for i in regions[r] for n in adj[i]} - {r}
        neighbours = {n for n in neighbours if alive[n] and sums[n] + sums[r] <= hard_max}
        if not neighbours:
            continue
        into = min(neighbours, key=lambda n: sums[n])
        regions[into] = regions[into] + regions[r]
        sums[into] += sums[r]
        for i in regions[r]:
            owner[i] = into
        alive[r] = False
    return [m for r, m in enumerate(regions) if alive[r]]


def _absorb_slivers(faces: list[Polygon], keep: list[int]) -> list[Polygon]:
    """The kept faces, each sliver (a face too small or thin to be a block, such as the strip
    between a dual carriageway's two roads) merged into the block it shares most edge with.

    Without them the blocks on either side of such a road would not touch, and the network
    would fall apart into islands no community could grow across.
    """
    blocks = {i: faces[i] for i in keep}
    pending = [i for i in range(len(faces)) if i not in blocks]
    tree = shapely.STRtree(faces)
    for _ in range(4):  # a sliver touching only slivers waits for its neighbour's turn
        left = []
        for i in pending:
            best, shared = None, 0.0
            for j in tree.query(faces[i], predicate="intersects").tolist():
                if j in blocks and j != i:
                    length = faces[i].boundary.intersection(blocks[j].boundary).length
                    if length > shared:
                        best, shared = j, length
            if best is None:
                left.append(i)
                continue
            merged = shapely.union(blocks[best], faces[i])
            blocks[best] = merged if isinstance(merged, Polygon) else blocks[best]
        if not left or len(left) == len(pending):
            break
        pending = left
    return [blocks[i] for i in keep]


def _drop_islands(cells: list[Polygon], hh: np.ndarray, smallest: int
                  ) -> tuple[list[Polygon], np.ndarray]:
    """Leave out groups of blocks cut off from the rest (no neighbour within ``ROAD_GAP``)
    holding fewer than ``smallest`` households: too few for a community of their own."""
    adj = _adjacency(cells, ROAD_GAP)
    seen: set[int] = set()
    keep: list[int] = []
    for start in range(len(cells)):
        if start in seen:
            continue
        group, stack = [], [start]
        while stack:
            i = stack.pop()
            if i not in seen:
                seen.add(i)
                group.append(i)
                stack.extend(adj[i] - seen)
        if hh[group].sum() >= smallest:
            keep += group
    keep.sort()
    return [cells[i] for i in keep], hh[keep]


def _trim_rim(cells: list[Polygon], hh: np.ndarray, area: np.ndarray, largest: float
              ) -> tuple[list[Polygon], np.ndarray]:
    """Drop the faces on the rim of the network larger than a community may be, layer by layer.

    Past the built-up area an extract still has long roads (ways kept whole by the cut) that
    enclose fields and the extract's margins: faces far larger than any block, on the rim.
    Such a face is the edge of the data, not a part of a community.
    """
    keep = list(range(len(cells)))
    while True:
        rim = shapely.union_all([cells[i] for i in keep]).boundary
        margin = {i for i in keep if area[i] > largest
                  and cells[i].boundary.intersection(rim).length > 0}
        if not margin:
            return [cells[i] for i in keep], hh[keep]
        keep = [i for i in keep if i not in margin]


def _strip_cuts(poly: Polygon, parts: int, eps: float = 1e-7) -> list[BaseGeometry]:
    """Lines cutting ``poly`` into ``parts`` strips of equal area along its longer bbox side.

    Each line crosses the polygon and pokes ``eps`` degrees beyond it, so noding it
    with the block boundaries splits the block and adds the crossing vertex to the
    neighbouring block as well; the overhangs are dangles that polygonize drops.
    """
    minx, miny, maxx, maxy = poly.bounds
    vertical = (maxx - minx) >= (maxy - miny)
    total = poly.area
    lo_edge, hi_edge = (minx, maxx) if vertical else (miny, maxy)

    def left_area(at: float) -> float:
        half = (box(lo_edge - 1, miny - 1, at, maxy + 1) if vertical
                else box(minx - 1, lo_edge - 1, maxx + 1, at))
        return float(poly.intersection(half).area)

    lines: list[BaseGeometry] = []
    lo = lo_edge
    for k in range(1, parts):
        a, b = lo, hi_edge
        for _ in range(40):
            mid = (a + b) / 2
            if left_area(mid) < total * k / parts:
                a = mid
            else:
                b = mid
        at = (a + b) / 2
        lo = at
        line = (LineString([(at, miny - 1e-3), (at, maxy + 1e-3)]) if vertical
                else LineString([(minx - 1e-3, at), (maxx + 1e-3, at)]))
        lines.append(line.intersection(poly.buffer(eps)))
    return lines


class _Deriver:
    def __init__(self, extract: OsmExtract, seed: int, model: HouseholdModel,
                 params: DeriveParams) -> None:
        self.ex = extract
        self.rng = random.Random(seed)
        self.model = model
        self.p = params
        self.m = _Measure(extract.edges.estimate_utm_crs())
        self.city = DemoCity(origin="derived", source=f"{SOURCE_PREFIX}:{extract.source}")
        feats = extract.features
        self.polys = feats[feats.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        self.district_name = f"OSM推导演示区（{extract.source}）"

    # -- roads ------------------------------------------------------------------
    def roads(self) -> None:
        for osm_id, geom in zip(self.ex.nodes["osm_id"], self.ex.nodes.geometry, strict=True):
            self.city.nodes.append(NodeRec(int(osm_id), geom, int(osm_id)))
        for row in self.ex.edges.itertuples():
            way = row.osm_way_id
            self.city.edges.append(EdgeRec(
                int(row.u), int(row.v), row.geometry, float(row.length_m), str(row.highway),
                str(row.name), int(way) if isinstance(way, int | np.integer) else None,
            ))

    # -- blocks and households ----------------------------------------------------
    def blocks(self) -> tuple[list[Polygon], np.ndarray]:
        edges = self.ex.edges
        lines = list(edges[edges["highway"].isin(BLOCK_ROADS)].geometry)
        if len(lines) < 10:
            raise DerivationError(
                f"{self.ex.source}: only {len(lines)} block-bounding roads; the extract is too "
                "small or has no street network"
            )
        # The frame is the road network itself: only faces the roads enclose are blocks. (A
        # box around the nodes made the faces between the outermost roads and the box into
        # blocks, and one community swallowed the extract's empty west and south edges.)
        noded = shapely.union_all(lines)
        faces = [p for p in shapely.polygonize(list(getattr(noded, "geoms", [noded]))).geoms
                 if isinstance(p, Polygon)]
        area = self.m.areas(faces)
        perim = gpd.GeoSeries(faces, crs="EPSG:4326").to_crs(self.m.crs).length.to_numpy()
        keep = [i for i in range(len(faces))
                if area[i] >= self.p.min_block_area_m2
                and 2 * area[i] / perim[i] >= self.p.min_block_width_m]
        if len(keep) < 4:
            raise DerivationError(f"{self.ex.source}: roads enclose only {len(keep)} blocks")
        # A fixed precision grid (~0.1 mm) makes every later union exact along shared edges.
        cells = _absorb_slivers(faces, keep)
        hh = self.households(cells)
        cells, hh = _trim_rim(cells, hh, self.m.areas(cells), self.p.community_max_area_m2)
        return _drop_islands(cells, hh, self.p.community_min // 2)

    def households(self, cells: list[Polygon]) -> np.ndarray:
        """Households per block from buildings and residential areas (estimated)."""
        mdl = self.model
        polys = self.polys
        is_building = polys["building"].notna() & (polys["landuse"].isna())
        areas_gdf = polys[polys["landuse"] == "residential"]
        buildings = polys[is_building]
        res_area_geoms = list(areas_gdf.geometry)
        res_tree = shapely.STRtree(res_area_geoms) if res_area_geoms else None
        sources: list[tuple[BaseGeometry, float]] = []
        self.building_rows: list[tuple[Polygon, int, int, bool, str, int | None]] = []
        b_area = self.m.areas(list(buildings.geometry)) if len(buildings) else np.array([])
        in_area_hh = np.zeros(len(res_area_geoms))
        level_tags = buildings["building:levels"].tolist()
        for k, row in enumerate(buildings.itertuples()):
            poly = _polygon(row.geometry)
            if poly is None:
                continue
            kind = str(row.building)
            levels = _levels(level_tags[k], mdl.default_levels)
            inside = (res_tree.query(poly.representative_point(), predicate="within").tolist()
                      if res_tree is not None else [])
            residential = kind in RESIDENTIAL_BUILDINGS or (kind == "yes" and bool(inside))
            hh = mdl.building(b_area[k], levels) if residential else 0
            for a in inside:
                in_area_hh[a] += hh
            osm_id = getattr(row, "id", None)
            self.building_rows.append((poly, levels, hh, residential,
                                       str(row.name) if isinstance(row.name, str) else "",
                                       int(osm_id) if isinstance(osm_id, int | np.integer)
                                       else None))
            if hh:
                sources.append((poly, hh))
        a_area = self.m.areas(res_area_geoms) if res_area_geoms else np.array([])
        self.compound_rows: list[tuple[Polygon, str, int, int | None]] = []
        for k, row in enumerate(areas_gdf.itertuples()):
            poly = _polygon(row.geometry)
            if poly is None:
                continue
            if in_area_hh[k] > 0:
                hh = int(in_area_hh[k])
            else:
                hh = round(a_area[k] * mdl.residential_far * mdl.usable_ratio
                           / mdl.m2_per_household)
                sources.append((poly, hh))
            osm_id = getattr(row, "id", None)
            self.compound_rows.append((poly, str(row.name) if isinstance(row.name, str) else "",
                                       hh, int(osm_id) if isinstance(osm_id, int | np.integer)
                                       else None))
        result = np.zeros(len(cells))
        tree = shapely.STRtree(cells)
        for geom, source_hh in sources:
            hits = tree.query(geom, predicate="intersects").tolist()
            if not hits:
                continue
            parts = np.array([cells[i].intersection(geom).area for i in hits])
            if parts.sum() <= 0:
                continue
            # Households outside every block (on roads) are given to the blocks in proportion.
            result[hits] += source_hh * parts / parts.sum()
        return np.round(result)

    # -- communities, streets, grids ----------------------------------------------
    def communities(self, cells: list[Polygon], hh: np.ndarray) -> None:
        p = self.p
        xy = self.m.xy(cells)
        area = self.m.areas(cells)
        adj = _adjacency(cells)
        # Seeds from north-west to south-east in 600 m bands, as codes are numbered.
        order = sorted(range(len(cells)), key=lambda i: (-(xy[i, 1] // 600), xy[i, 0]))
        regions = _grow(order, adj, hh, xy, p.community_target, p.community_max, area,
                        p.community_max_area_m2)
        regions = _merge_small(regions, adj, hh, p.community_min, p.community_max)
        regions = [r for r in regions if hh[r].sum() > 0 or area[r].sum() > 200_000]
        geoms = [shapely.union_all([cells[i] for i in r]) for r in regions]
        cxy = self.m.xy(geoms)
        mx, my = np.median(cxy[:, 0]), np.median(cxy[:, 1])
        quadrant = [(0 if y >= my else 2) + (0 if x < mx else 1) for x, y in cxy]
        named = self.polys[self.polys["name"].fillna("").str.endswith("社区")]
        named_pts = [(str(n), g.representative_point()) for n, g in
                     zip(named["name"], named.geometry, strict=True)]
        stems = list(names.COMMUNITY_STEMS)
        self.rng.shuffle(stems)
        used: set[str] = set()
        f_district = shapely.union_all(geoms)
        self.city.districts.append(DistrictRec(
            DISTRICT_CODE, self.district_name, _mp(f_district)))
        self.community_cells: dict[str, list[int]] = {}
        for q in range(4):
            members = [k for k in range(len(regions)) if quadrant[k] == q]
            if not members:
                continue
            street_code = child_code(DISTRICT_CODE, len(self.city.streets) + 1, "street")
            members.sort(key=lambda k: (-(cxy[k, 1] // 600), cxy[k, 0]))
            for seq, k in enumerate(members, start=1):
                code = child_code(street_code, seq, "community")
                geom = geoms[k]
                name = next((n for n, pt in named_pts if geom.contains(pt) and n not in used),
                            None)
                if name is None:
                    name = next(f"{s}社区" for s in stems if f"{s}社区" not in used)
                used.add(name)
                self.community_cells[code] = regions[k]
                self.grids(code, name, street_code, [cells[i] for i in regions[k]],
                           hh[regions[k]])
            self.city.streets.append(StreetRec(
                street_code, f"{names.STREET_STEMS[q]}街道（推导）", DISTRICT_CODE,
                _mp(shapely.union_all([geoms[k] for k in members]))))

    def grids(self, code: str, name: str, street_code: str, cells: list[Polygon],
              hh: np.ndarray) -> None:
        p = self.p
        cuts: list[BaseGeometry] = []
        for cell, h in zip(cells, hh, strict=True):
            if h > p.grid_max:
                cuts.extend(_strip_cuts(cell, math.ceil(h / p.grid_target)))
        # One noding of every block boundary and cut: faces share their edges exactly.
        noded = shapely.union_all([c.boundary for c in cells] + cuts)
        faces = list(shapely.polygonize(list(getattr(noded, "geoms", [noded]))).geoms)
        cell_tree = shapely.STRtree(cells)
        pieces: list[Polygon] = []
        owner: list[int] = []
        for face in faces:
            hit = cell_tree.query(face.representative_point(), predicate="within").tolist()
            if hit:  # faces filling holes of the community belong to no block
                pieces.append(face)
                owner.append(hit[0])
        piece_area = self.m.areas(pieces)
        weights = np.zeros(len(pieces))
        for c_idx in set(owner):
            idx = [i for i, o in enumerate(owner) if o == c_idx]
            share = hh[c_idx] * piece_area[idx] / piece_area[idx].sum()
            ints = np.floor(share)
            # Whole households per piece, summing to the block's count.
            rank = np.argsort(-(share - ints))
            ints[rank[: round(hh[c_idx] - ints.sum())]] += 1
            weights[idx] = ints
        w = np.array(weights)
        xy = self.m.xy(pieces)
        adj = _adjacency(pieces)
        order = sorted(range(len(pieces)), key=lambda i: (-(xy[i, 1] // 150), xy[i, 0]))
        regions = _grow(order, adj, w, xy, p.grid_target, p.grid_max)
        regions = _merge_small(regions, adj, w, p.grid_min, p.grid_max)
        geoms = [shapely.union_all([pieces[i] for i in r]) for r in regions]
        ranked = reading_order(geoms)
        total = int(w.sum())
        population = round(total * self.rng.uniform(2.4, 2.9))
        comm_geom = _mp(shapely.union_all(geoms))
        self.city.communities.append(CommunityRec(
            code, name, street_code, comm_geom, total, population,
            round(population * self.rng.uniform(0.03, 0.055))))
        for seq, k in enumerate(ranked, start=1):
            households = int(w[regions[k]].sum())
            self.city.grids.append(GridRec(
                child_code(code, seq, "grid"), f"{name}第{seq}网格", code, _mp(geoms[k]),
                households, zone_type="residential" if households else "production",
                households_estimated=True, leader=names.person_name(self.rng),
                workers=[{"name": names.person_name(self.rng), "phone": names.mobile(self.rng)}],
                party_branch=f"{name}第{seq}网格党小组",
            ))

    # -- compounds, buildings ------------------------------------------------------
    def compounds_and_buildings(self) -> None:
        comms = self.city.communities
        tree = shapely.STRtree([c.geom for c in comms])

        def community_of(g: BaseGeometry) -> str | None:
            hits = tree.query(g.representative_point(), predicate="within").tolist()
            return comms[hits[0]].code if hits else None

        for k, (poly, name, hh, osm_id) in enumerate(self.compound_rows):
            self.city.compounds.append(CompoundRec(
                f"osm-area-{k}", name or "未命名小区", community_of(poly), poly, hh,
                households_estimated=True, osm_id=osm_id))
        area_geoms = [c.geom for c in self.city.compounds]
        area_tree = shapely.STRtree(area_geoms) if area_geoms else None
        for poly, levels, hh, residential, name, osm_id in self.building_rows:
            key = None
            if area_tree is not None:
                hits = area_tree.query(poly.representative_point(), predicate="within").tolist()
                key = self.city.compounds[hits[0]].key if hits else None
            self.city.buildings.append(BuildingRec(
                key, community_of(poly), poly, levels, hh, residential=residential,
                households_estimated=residential, name=name, osm_id=osm_id))

    # -- centers, units, members -----------------------------------------------------
    def centers(self) -> None:
        rng = self.rng
        all_services = ["party", "general", "proxy", "consult"]
        comms = self.city.communities
        for idx, comm in enumerate(comms):
            named_here = comm.name.endswith("社区") and any(
                comm.name == n for n in self.polys["name"].dropna())
            if not named_here and idx % 5 == 4:
                continue  # some communities have no center, so reports have findings
            area = float(rng.randint(240, 480) if idx % 6 == 1 else rng.randint(520, 950))
            self.city.centers.append(CenterRec(
                f"{comm.name}党群服务中心", "community", comm.street_code, comm.code,
                comm.geom.representative_point(), area, rng.choice(names.HOURS),
                rng.sample(all_services, rng.randint(2, 4)), names.landline(rng),
                f"{comm.name}居委会", True, origin="generated"))
        for street in self.city.streets:
            host = [c for c in comms if c.street_code == street.code]
            pt = host[len(host) // 2].geom.representative_point()
            self.city.centers.append(CenterRec(
                f"{street.name}党群服务中心", "street", street.code, host[len(host) // 2].code,
                pt, float(rng.choice([800, 1100, 1250])), names.HOURS[0], all_services,
                names.landline(rng), street.name, True, origin="generated"))
        mid = comms[len(comms) // 2]
        self.city.centers.append(CenterRec(
            "OSM推导演示区党群服务中心", "district", mid.street_code, mid.code,
            shapely.Point(mid.geom.representative_point().x + 1e-4,
                          mid.geom.representative_point().y), 2200.0, names.HOURS[1],
            all_services, names.landline(rng), "区政务中心", True, True, origin="generated"))

    def units(self, minimum: int = 60) -> None:
        rng = self.rng
        feats = self.ex.features
        district = self.city.districts[0].geom
        seen: set[str] = set()
        for row in feats.itertuples():
            name = row.name if isinstance(row.name, str) else ""
            kind = row.amenity if isinstance(row.amenity, str) else (
                row.office if isinstance(row.office, str) else "")
            if not name or kind not in UNIT_TYPES or name in seen:
                continue
            pt = row.geometry.representative_point()
            if not district.contains(pt):
                continue
            seen.add(name)
            self.city.units.append(UnitRec(
                f"osm-{len(self.city.units)}", name[:150], UNIT_TYPES[kind], pt,
                rng.randint(10, 300), 2 if UNIT_TYPES[kind] == "university" else 1,
                origin="derived"))
        pool = [(t, n) for t, ns in names.UNITS.items() for n in ns]
        minx, miny, maxx, maxy = district.bounds
        while len(self.city.units) < minimum:
            unit_type, base = pool[len(self.city.units) % len(pool)]
            for _ in range(100):
                pt = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                if district.contains(pt):
                    break
            self.city.units.append(UnitRec(
                f"gen-{len(self.city.units)}", f"{base}（演示）#{len(self.city.units)}",
                unit_type, pt, rng.randint(10, 300), 1, origin="generated"))

    def pairings(self, per_community: int = 2) -> None:
        """Pairings already agreed: every third unit with the community it stands in.

        Few per community (the cap is 5), so the pairing page still has units and room to
        propose; only units inside a community, so no distance is guessed in degrees.
        """
        rng = self.rng
        taken: dict[str, int] = {}
        for i, unit in enumerate(self.city.units[::3]):
            comm = next((c for c in self.city.communities if c.geom.contains(unit.location)), None)
            if comm is None or taken.get(comm.code, 0) >= per_community:
                continue
            taken[comm.code] = taken.get(comm.code, 0) + 1
            signed = i % 2 == 0
            self.city.pairings.append(PairingRec(
                unit.key, comm.code, "signed" if signed else "confirmed",
                dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)) if signed else None))

    def members(self) -> None:
        rng = self.rng
        for idx, comm in enumerate(self.city.communities):
            count = rng.randint(105, 130) if idx % 11 == 3 else rng.randint(10, 60)
            minx, miny, maxx, maxy = comm.geom.bounds
            for _ in range(count):
                for _ in range(50):
                    pt = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                    if comm.geom.contains(pt):
                        break
                unit = rng.choice(self.city.units)
                self.city.members.append(MemberRec(
                    names.person_name(rng), names.mobile(rng), names.id_number(rng, "510104"),
                    unit.key, pt, comm.code, comm.code if rng.random() < 0.9 else None,
                    dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))))


def derive_city(extract: OsmExtract, seed: int = 2026,
                model: HouseholdModel | None = None,
                params: DeriveParams | None = None, name: str | None = None) -> DemoCity:
    """Derive a demo district from an OSM extract; deterministic for a given file and seed."""
    d = _Deriver(extract, seed, model or HouseholdModel(), params or DeriveParams())
    d.district_name = name or f"OSM推导演示区（{extract.source}）"
    d.roads()
    d.city.land = land_rows(d.polys)  # the basemap's water and land use, and grid zones
    cells, hh = d.blocks()
    d.communities(cells, hh)
    d.compounds_and_buildings()
    d.centers()
    d.units()
    d.pairings()
    d.members()
    return d.city


__all__ = ["DerivationError", "DeriveParams", "HouseholdModel", "derive_city"]
