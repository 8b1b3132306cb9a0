"""A deterministic generated demo district (Django-free).

The district is laid out in a local metric frame on a lattice of roads:
primary roads bound the four streets, secondary roads bound the 36
communities, tertiary and residential roads divide each community into 4 x 4
blocks. Blocks are grouped into grid units by a household-balanced partition of
a serpentine walk, so grids are contiguous and tile their community exactly.
Metres map to degrees by an affine transform around the origin, which keeps
every straight edge straight, so shared edges stay shared in EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from pyproj import Geod
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.analysis.codes import child_code
from geo.analysis.grid_checks import reading_order
from geo.analysis.partition import PartitionError, balanced_segments

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

GEOD = Geod(ellps="WGS84")
DISTRICT_CODE = "510199"
DISTRICT_NAME = "锦城示范区（演示）"
SOURCE = "demo"

# Placed east of the real Chengdu extract in shared/data, so the two never overlap.
ORIGIN_LON, ORIGIN_LAT = 104.16, 30.56
SIZE_M = 3000.0
COMMUNITY_M = 500.0
BLOCKS_PER_SIDE = 4
GRID_RANGE = (150, 500)
COMMUNITY_HOUSEHOLDS = (1600, 3900)


@dataclass(frozen=True)
class Frame:
    """Affine map from local metres (x east, y north) to lon/lat degrees."""

    lon0: float
    lat0: float

    @property
    def sx(self) -> float:
        return 1.0 / (111_320.0 * math.cos(math.radians(self.lat0)))

    @property
    def sy(self) -> float:
        return 1.0 / 110_574.0

    def geom(self, g: BaseGeometry) -> BaseGeometry:
        """Map a shapely geometry from metres to degrees."""
        return affinity.affine_transform(g, [self.sx, 0, 0, self.sy, self.lon0, self.lat0])

    def point(self, x: float, y: float) -> Point:
        return Point(self.lon0 + x * self.sx, self.lat0 + y * self.sy)


def _lines(rng: random.Random) -> tuple[list[float], list[str]]:
    """Road positions along one axis and their class, from west (or south) to east."""
    positions: list[float] = []
    classes: list[str] = []
    n = int(SIZE_M / COMMUNITY_M)
    edges = [0.0] + [
        k * COMMUNITY_M + (0.0 if k * COMMUNITY_M == SIZE_M / 2 else rng.uniform(-45, 45))
        for k in range(1, n)
    ] + [SIZE_M]
    for k in range(n):
        a, b = edges[k], edges[k + 1]
        positions.append(a)
        classes.append("primary" if a in (0.0, SIZE_M / 2) else "secondary")
        for m in range(1, BLOCKS_PER_SIDE):
            positions.append(a + (b - a) * m / BLOCKS_PER_SIDE + rng.uniform(-12, 12))
            classes.append("tertiary" if m == BLOCKS_PER_SIDE // 2 else "residential")
    positions.append(SIZE_M)
    classes.append("primary")
    return positions, classes


def _mp(g: Polygon | MultiPolygon) -> MultiPolygon:
    return g if isinstance(g, MultiPolygon) else MultiPolygon([g])


def serpentine(n: int) -> list[tuple[int, int]]:
    """Block indices (col, row) north to south, alternating direction, so neighbours touch."""
    order: list[tuple[int, int]] = []
    for k, row in enumerate(range(n - 1, -1, -1)):
        cols = range(n) if k % 2 == 0 else range(n - 1, -1, -1)
        order.extend((c, row) for c in cols)
    return order


def _length_m(line: LineString) -> float:
    return float(GEOD.geometry_length(line))


class _Builder:
    """Accumulates the records of the generated city."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.frame = Frame(ORIGIN_LON, ORIGIN_LAT)
        self.city = DemoCity(origin="generated", source=SOURCE)
        self.xs, self.xclass = _lines(self.rng)
        self.ys, self.yclass = _lines(self.rng)
        self.used_names: set[str] = set()
        # Non-residential blocks per community (metre boxes), for centers and units.
        self.spare_blocks: dict[str, list[Polygon]] = {}
        self.compound_points: dict[str, list[Polygon]] = {}

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return str(name)
        raise RuntimeError("ran out of demo names")

    # -- roads ---------------------------------------------------------------
    def roads(self) -> None:
        stems = list(names.ROAD_STEMS)
        self.rng.shuffle(stems)
        nx_, ny_ = len(self.xs), len(self.ys)

        def node_id(i: int, j: int) -> int:
            return i * ny_ + j

        for i, x in enumerate(self.xs):
            for j, y in enumerate(self.ys):
                self.city.nodes.append(NodeRec(node_id(i, j), self.frame.point(x, y)))
        suffix = {"primary": "大道", "secondary": "路", "tertiary": "街", "residential": "巷"}
        for i, x in enumerate(self.xs):  # north-south roads
            cls = self.xclass[i]
            name = f"{stems[i % len(stems)]}{'南北'[i % 2]}{suffix[cls]}"
            for j in range(ny_ - 1):
                line = self.frame.geom(LineString([(x, self.ys[j]), (x, self.ys[j + 1])]))
                self.city.edges.append(EdgeRec(node_id(i, j), node_id(i, j + 1), line,
                                               _length_m(line), cls, name))
        for j, y in enumerate(self.ys):  # east-west roads
            cls = self.yclass[j]
            name = f"{stems[(j + 7) % len(stems)]}{'东西'[j % 2]}{suffix[cls]}"
            for i in range(nx_ - 1):
                line = self.frame.geom(LineString([(self.xs[i], y), (self.xs[i + 1], y)]))
                self.city.edges.append(EdgeRec(node_id(i, j), node_id(i + 1, j), line,
                                               _length_m(line), cls, name))

    # -- hierarchy, grids, compounds, buildings ---------------------------------
    def hierarchy(self) -> None:
        n = int(SIZE_M / COMMUNITY_M)
        half = n // 2
        f = self.frame
        self.city.districts.append(
            DistrictRec(DISTRICT_CODE, DISTRICT_NAME, _mp(f.geom(box(0, 0, SIZE_M, SIZE_M))))
        )
        stems = list(names.COMMUNITY_STEMS)
        self.rng.shuffle(stems)
        street_blocks: dict[str, list[Polygon]] = {}
        quadrants = [(0, 1), (1, 1), (0, 0), (1, 0)]  # NW, NE, SW, SE
        for s_idx, (qx, qy) in enumerate(quadrants, start=1):
            street_code = child_code(DISTRICT_CODE, s_idx, "street")
            comm_seq = 0
            for row in range(qy * half + half - 1, qy * half - 1, -1):  # north to south
                for col in range(qx * half, qx * half + half):  # west to east
                    comm_seq += 1
                    code = child_code(street_code, comm_seq, "community")
                    name = f"{stems.pop()}社区"
                    polys = self.community(code, name, street_code, col, row)
                    street_blocks.setdefault(street_code, []).extend(polys)
            s_name = f"{names.STREET_STEMS[s_idx - 1]}街道"
            self.city.streets.append(StreetRec(
                street_code, s_name, DISTRICT_CODE,
                _mp(f.geom(unary_union(street_blocks[street_code]))),
            ))

    def community(self, code: str, name: str, street_code: str, col: int,
                  row: int) -> list[Polygon]:
        """Blocks, compounds, buildings and grids of one community; returns its blocks in metres."""
        rng = self.rng
        k = BLOCKS_PER_SIDE
        xs = self.xs[col * k: col * k + k + 1]
        ys = self.ys[row * k: row * k + k + 1]
        blocks_m = {(c, r): box(xs[c], ys[r], xs[c + 1], ys[r + 1])
                    for c in range(k) for r in range(k)}
        order = serpentine(k)
        for _attempt in range(200):
            total = rng.randint(*COMMUNITY_HOUSEHOLDS)
            spare = set(rng.sample(order, rng.randint(2, 4)))
            weights = {b: (0.0 if b in spare else rng.uniform(0.6, 1.4)) for b in order}
            wsum = sum(weights.values())
            hh = {b: round(total * w / wsum) for b, w in weights.items()}
            if max(hh.values()) > GRID_RANGE[1]:
                continue
            try:
                segments = balanced_segments([hh[b] for b in order], *GRID_RANGE, target=330)
            except PartitionError:
                continue
            break
        else:  # pragma: no cover - the ranges above always admit a partition
            raise RuntimeError(f"could not lay out community {code}")
        f = self.frame
        households = sum(hh.values())
        population = round(households * rng.uniform(2.4, 2.9))
        comm_geom = _mp(f.geom(unary_union(list(blocks_m.values()))))
        self.city.communities.append(CommunityRec(
            code, name, street_code, comm_geom, households, population,
            round(population * rng.uniform(0.03, 0.055)),
        ))
        # Grids numbered west→east, then north→south, by their blocks' centroid.
        grid_parts = [order[a:b] for a, b in segments]
        wgs = [f.geom(unary_union([blocks_m[b] for b in part])) for part in grid_parts]
        grid_parts = [grid_parts[i] for i in reading_order(wgs)]
        for seq, part in enumerate(grid_parts, start=1):
            leader = names.person_name(rng)
            workers = [{"name": names.person_name(rng), "phone": names.mobile(rng)}
                       for _ in range(rng.randint(1, 2))]
            self.city.grids.append(GridRec(
                child_code(code, seq, "grid"), f"{name}第{seq}网格", code,
                _mp(f.geom(unary_union([blocks_m[b] for b in part]))),
                sum(hh[b] for b in part), leader=leader, workers=workers,
                party_branch=f"{name}第{seq}网格党小组",
            ))
        self.spare_blocks[code] = [blocks_m[b] for b in order if b in spare]
        self.compound_points[code] = []
        for b in order:
            if b in spare:
                self.non_residential(code, blocks_m[b])
            else:
                self.compound(code, blocks_m[b], hh[b])
        return list(blocks_m.values())

    def compound(self, community_code: str, block: Polygon, households: int) -> None:
        rng, f = self.rng, self.frame
        inner = block.buffer(-10, join_style="mitre")
        key = f"{community_code}-{len(self.city.compounds)}"
        name = self.unique(lambda: rng.choice(names.COMPOUND_PREFIX)
                           + rng.choice(names.COMPOUND_SUFFIX)
                           + rng.choice(["", "", "一期", "二期", "东区", "西区"]))
        self.city.compounds.append(CompoundRec(key, name, community_code, f.geom(inner),
                                               households))
        self.compound_points[community_code].append(inner)
        minx, miny, maxx, maxy = inner.bounds
        w, h = maxx - minx, maxy - miny
        n_build = max(1, min(6, math.ceil(households / 70)))
        shares = [rng.uniform(0.8, 1.2) for _ in range(n_build)]
        alloc = [int(households * s / sum(shares)) for s in shares]
        alloc[-1] += households - sum(alloc)
        for idx, hh in enumerate(alloc):
            c, r = idx % 2, idx // 2
            x0 = minx + w * (0.08 + 0.5 * c)
            y0 = miny + h * (0.08 + 0.31 * r)
            slab = box(x0, y0, x0 + w * 0.36, y0 + h * 0.13)
            per_floor = rng.choice([2, 3, 4])
            levels = max(2, min(33, math.ceil(hh / per_floor)))
            self.city.buildings.append(BuildingRec(
                key, community_code, f.geom(slab), levels, hh, name=f"{name}{idx + 1}栋",
            ))

    def non_residential(self, community_code: str, block: Polygon) -> None:
        inner = block.buffer(-15, join_style="mitre")
        minx, miny, maxx, maxy = inner.bounds
        hall = box(minx, miny, minx + (maxx - minx) * 0.5, miny + (maxy - miny) * 0.4)
        self.city.buildings.append(BuildingRec(
            None, community_code, self.frame.geom(hall), self.rng.randint(2, 8), 0,
            residential=False,
        ))

    # -- centers, units, pairings, members ------------------------------------
    def centers(self) -> None:
        rng, f = self.rng, self.frame
        services_all = ["party", "general", "proxy", "consult"]
        comms = self.city.communities
        # District center: the community nearest the district's middle.
        mid = comms[len(comms) // 2]
        spot = self.spare_blocks[mid.code][0].centroid
        self.city.centers.append(CenterRec(
            "锦城示范区党群服务中心", "district", mid.street_code, mid.code,
            f.point(spot.x + 8, spot.y + 8), 2400.0, names.HOURS[1], services_all,
            names.landline(rng), "锦城示范区政务中心一楼", True, True,
        ))
        street_areas = [1200.0, 1050.0, 800.0, 1300.0]  # one below the 1,000 m² target
        for street, area in zip(self.city.streets, street_areas, strict=True):
            host = [c for c in comms if c.street_code == street.code][4]
            spot = self.spare_blocks[host.code][-1].centroid
            self.city.centers.append(CenterRec(
                f"{street.name}党群服务中心", "street", street.code, host.code,
                f.point(spot.x - 10, spot.y - 10), area, names.HOURS[0], services_all,
                names.landline(rng), f"{street.name}办事处", True, area >= 1500,
            ))
        without = set(rng.sample(range(len(comms)), 6))
        small = set(rng.sample(sorted(set(range(len(comms))) - without), 6))
        unlicensed = set(rng.sample(sorted(set(range(len(comms))) - without), 2))
        for idx, comm in enumerate(comms):
            if idx in without:
                continue
            spot = self.spare_blocks[comm.code][0].centroid
            area = float(rng.randint(240, 480) if idx in small else rng.randint(520, 950))
            self.city.centers.append(CenterRec(
                f"{comm.name}党群服务中心", "community", comm.street_code, comm.code,
                f.point(spot.x - 12, spot.y + 6), area, rng.choice(names.HOURS),
                rng.sample(services_all, rng.randint(2, 4)), names.landline(rng),
                f"{comm.name}居委会", idx not in unlicensed,
            ))
        for comm in rng.sample(comms, 8):  # small service sites in compounds
            spot = self.compound_points[comm.code][0].centroid
            self.city.centers.append(CenterRec(
                f"{comm.name}小区党群服务站", "site", comm.street_code, comm.code,
                f.point(spot.x, spot.y), float(rng.randint(60, 150)), names.HOURS[2],
                ["party", "consult"], names.landline(rng), f"{comm.name}小区物业楼", True,
            ))

    def units(self) -> None:
        rng, f = self.rng, self.frame
        spare = [blk for blocks in self.spare_blocks.values() for blk in blocks]
        members_by_type = {"organ": (30, 250), "institution": (40, 400), "soe": (50, 600),
                           "university": (200, 1500), "private": (5, 80), "social": (3, 30)}
        idx = 0
        for unit_type, pool in names.UNITS.items():
            for base in pool:
                for variant in ("", "第二党支部") if unit_type in {"organ", "soe"} else ("",):
                    blk = spare[idx % len(spare)]
                    minx, miny, maxx, maxy = blk.bounds
                    x = rng.uniform(minx + 20, maxx - 20)
                    y = rng.uniform(miny + 20, maxy - 20)
                    idx += 1
                    self.city.units.append(UnitRec(
                        f"unit-{idx}", f"锦城{base}{variant}" if base.startswith("区") else
                        base + variant, unit_type, f.point(x, y),
                        rng.randint(*members_by_type[unit_type]),
                        2 if rng.random() < 0.2 or unit_type == "university" else 1,
                        f"锦城示范区{rng.choice(names.ROAD_STEMS)}路{rng.randint(1, 300)}号",
                        names.landline(rng),
                    ))

    def pairings(self) -> None:
        rng = self.rng
        comms = self.city.communities
        for i, unit in enumerate(self.city.units[:10]):
            comm = min(comms, key=lambda c: c.geom.centroid.distance(unit.location))
            signed = i % 2 == 0
            self.city.pairings.append(PairingRec(
                unit.key, comm.code, "signed" if signed else "confirmed",
                dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)) if signed else None,
            ))

    def members(self) -> None:
        rng, f = self.rng, self.frame
        comms = self.city.communities
        over_cap = set(rng.sample(range(len(comms)), 3))
        for idx, comm in enumerate(comms):
            count = rng.randint(105, 135) if idx in over_cap else rng.randint(15, 70)
            homes = self.compound_points[comm.code]
            for _ in range(count):
                home = rng.choice(homes)
                minx, miny, maxx, maxy = home.bounds
                point = f.point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                unit = rng.choice(self.city.units)
                roll = rng.random()
                if roll < 0.85:
                    reported: str | None = comm.code
                elif roll < 0.95:
                    reported = min(comms, key=lambda c: c.geom.distance(unit.location)).code
                else:
                    reported = None
                self.city.members.append(MemberRec(
                    names.person_name(rng), names.mobile(rng),
                    names.id_number(rng, DISTRICT_CODE), unit.key, point, comm.code, reported,
                    dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
                    if reported else None,
                ))


def generate_city(seed: int = 2026) -> DemoCity:
    """Build the generated demo district; the same seed gives the same city."""
    b = _Builder(seed)
    b.roads()
    b.hierarchy()
    b.centers()
    b.units()
    b.pairings()
    b.members()
    return b.city
