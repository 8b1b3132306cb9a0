"""A deterministic city-scale synthetic dataset, column by column (Django-free).

The generated demo district (:mod:`importers.demo.generated`) is 36 communities; a real user
is a city of ~3,000. This builds a lattice city of that size as numpy columns, without one
Python object per row, so that it can be written with ``copy_columns`` in minutes:

- districts of streets of communities, each a square of ``community_m`` metres cut into
  blocks (the districting unit) and every block into cells by footways;
- the walk network is the whole lattice of cell lines: district boundaries are primary
  roads, streets' secondary, communities' tertiary, blocks' residential, the rest footways;
- every residential block is a compound with a building in half its cells; grids are
  household-balanced runs of a serpentine walk over a community's blocks (150-500
  households, so contiguous and tiling the community exactly);
- centers, co-building units, pairings and reporting members per community.

Geometries are built in a local metric frame and mapped to degrees by an affine transform
(straight edges stay straight, shared edges stay shared); lengths are geodesic.

At :data:`CITY` size: 9 districts of 25 streets of 9 communities (2,025), 22,279 grids,
540,906 buildings, 6.7 million households, 1,168,561 walk nodes, 2,334,960 edges, 5,241
centers, 20,250 co-building units and 154,255 members.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import Geod

from geo.analysis.codes import child_code
from geo.analysis.grid_checks import reading_order
from geo.analysis.partition import PartitionError, balanced_segments

from . import names
from .generated import serpentine

GEOD = Geod(ellps="WGS84")
CITY_CODE = "5199"  # no prefecture of Sichuan has it: a synthetic city
CITY_NAME = "天府"  # districts are named 天府锦华区 ... (synthetic, never a real place)
SOURCE = "demo-city"
# South-east of the real Chengdu extract and the generated district: no overlap.
ORIGIN_LON, ORIGIN_LAT = 104.40, 30.20
GRID_RANGE = (150, 500)
GRID_TARGET = 300
COMMUNITY_HOUSEHOLDS = (2600, 4000)

Table = dict[str, Any]


@dataclass(frozen=True)
class CityShape:
    """How many of each level per side, and the size of a community."""

    districts_per_side: int = 3
    streets_per_district_side: int = 5
    communities_per_street_side: int = 3
    blocks_per_community_side: int = 6
    cells_per_block_side: int = 4
    community_m: float = 600.0

    @property
    def communities_per_side(self) -> int:
        return (self.districts_per_side * self.streets_per_district_side
                * self.communities_per_street_side)

    @property
    def cells_per_community_side(self) -> int:
        return self.blocks_per_community_side * self.cells_per_block_side

    @property
    def cells_per_side(self) -> int:
        return self.communities_per_side * self.cells_per_community_side

    @property
    def cell_m(self) -> float:
        return self.community_m / self.cells_per_community_side


CITY = CityShape()
SMALL = CityShape(districts_per_side=1, streets_per_district_side=2,
                  communities_per_street_side=2)  # 16 communities: for tests


@dataclass
class CityTables:
    """Every table of the city as columns; foreign keys are row indices (-1: none)."""

    shape: CityShape
    districts: Table = field(default_factory=dict)
    streets: Table = field(default_factory=dict)
    communities: Table = field(default_factory=dict)
    grids: Table = field(default_factory=dict)
    compounds: Table = field(default_factory=dict)
    buildings: Table = field(default_factory=dict)
    centers: Table = field(default_factory=dict)
    units: Table = field(default_factory=dict)
    pairings: Table = field(default_factory=dict)
    members: Table = field(default_factory=dict)
    nodes: Table = field(default_factory=dict)
    edges: Table = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: len(next(iter(getattr(self, name).values())))
                for name in ("districts", "streets", "communities", "grids", "compounds",
                             "buildings", "centers", "units", "pairings", "members", "nodes",
                             "edges")}


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """East and north metres per degree on the WGS84 ellipsoid at ``lat`` (N cos φ, M)."""
    a, e2 = 6_378_137.0, 0.00669437999014
    s2 = math.sin(math.radians(lat)) ** 2
    n = a / math.sqrt(1 - e2 * s2)
    m = a * (1 - e2) / (1 - e2 * s2) ** 1.5
    return math.radians(1) * n * math.cos(math.radians(lat)), math.radians(1) * m


@dataclass(frozen=True)
class Frame:
    """Affine map from local metres (x east, y north) to lon/lat around an origin."""

    lon0: float
    lat0: float

    def to_degrees(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        mx, my = _metres_per_degree(self.lat0)
        return self.lon0 + np.asarray(x, float) / mx, self.lat0 + np.asarray(y, float) / my

    def boxes(self, x0: Any, y0: Any, x1: Any, y1: Any) -> np.ndarray:
        lon0, lat0 = self.to_degrees(x0, y0)
        lon1, lat1 = self.to_degrees(x1, y1)
        return shapely.box(lon0, lat0, lon1, lat1)

    def points(self, x: Any, y: Any) -> np.ndarray:
        return shapely.points(*self.to_degrees(x, y))

    def polygons(self, polys: list[Any]) -> np.ndarray:
        return shapely.transform(np.array(polys, dtype=object), lambda xy: np.column_stack(
            self.to_degrees(xy[:, 0], xy[:, 1])))


def _multi(polys: np.ndarray) -> list[Any]:
    return [shapely.MultiPolygon([p]) if p.geom_type == "Polygon" else p for p in polys]


class _CityBuilder:
    def __init__(self, shape: CityShape, seed: int, code: str, name: str,
                 origin: tuple[float, float]) -> None:
        self.s = shape
        self.code, self.name = code, name
        self.f = Frame(*origin)
        self.rng = np.random.default_rng(seed)
        self.py = random.Random(seed)  # for the demo's name makers
        self.t = CityTables(shape)

    # -- network ---------------------------------------------------------------------
    def network(self) -> None:
        s, n = self.s, self.s.cells_per_side
        ii, jj = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
        lon, lat = self.f.to_degrees(ii.ravel() * s.cell_m, jj.ravel() * s.cell_m)
        self.t.nodes = {"lon": lon, "lat": lat}
        cls, line_name = self._line_classes(n)
        # Edges along vertical lines (x = i) then horizontal ones (y = j); node id i*(n+1)+j.
        vi, vj = np.meshgrid(np.arange(n + 1), np.arange(n), indexing="ij")
        v_start = (vi * (n + 1) + vj).ravel()
        hi_, hj = np.meshgrid(np.arange(n), np.arange(n + 1), indexing="ij")
        h_start = (hi_ * (n + 1) + hj).ravel()
        start = np.concatenate([v_start, h_start])
        end = np.concatenate([v_start + 1, h_start + (n + 1)])
        line = np.concatenate([vi.ravel(), hj.ravel()])
        vertical = np.concatenate([np.ones(len(v_start), bool), np.zeros(len(h_start), bool)])
        _, _, length = GEOD.inv(lon[start], lat[start], lon[end], lat[end])
        names_v = np.asarray([line_name(k, True) for k in range(n + 1)], dtype=object)
        names_h = np.asarray([line_name(k, False) for k in range(n + 1)], dtype=object)
        self.t.edges = {
            "start": start, "end": end, "length_m": np.round(length, 2),
            "highway": cls[line], "name": np.where(vertical, names_v[line], names_h[line]),
        }

    def _line_classes(self, n: int) -> tuple[np.ndarray, Any]:
        s = self.s
        per_block = s.cells_per_block_side
        per_comm = s.cells_per_community_side
        per_street = per_comm * s.communities_per_street_side
        per_district = per_street * s.streets_per_district_side
        k = np.arange(n + 1)
        cls = np.full(n + 1, "footway", dtype=object)
        cls[k % per_block == 0] = "residential"
        cls[k % per_comm == 0] = "tertiary"
        cls[k % per_street == 0] = "secondary"
        cls[k % per_district == 0] = "primary"
        stems = names.ROAD_STEMS + names.COMMUNITY_STEMS
        suffix = {"primary": "大道", "secondary": "路", "tertiary": "街", "residential": "巷"}

        def line_name(idx: int, vertical: bool) -> str:
            c = str(cls[idx])
            if c == "footway":
                return ""
            stem = stems[(idx // per_block * 7 + (0 if vertical else 3)) % len(stems)]
            return f"{stem}{'南北' if vertical else '东西'}{suffix[c]}{idx // per_block + 1}"
        return cls, line_name

    # -- hierarchy ------------------------------------------------------------------
    def hierarchy(self) -> None:
        s, rng = self.s, self.rng
        cm = s.community_m
        per_street = s.communities_per_street_side
        per_district = per_street * s.streets_per_district_side
        c_side = s.communities_per_side
        district_rows: list[tuple[str, str, Any]] = []
        street_rows: list[tuple[str, str, int, Any]] = []
        comm_rows: list[tuple[str, str, int, int, int]] = []  # code, name, street, col, row
        pairs = [(a, b) for a in names.COMMUNITY_STEMS for b in names.COMMUNITY_STEMS if a != b]
        order = rng.permutation(len(pairs))
        street_names = [(a, b) for a in names.ROAD_STEMS for b in names.COMMUNITY_STEMS]
        s_order = rng.permutation(len(street_names))
        d_side = s.districts_per_side
        for d in range(d_side * d_side):
            dc, dr = d % d_side, d_side - 1 - d // d_side  # west to east, north to south
            d_code = child_code(self.code, d + 1, "district")
            stem = names.ROAD_STEMS[d % len(names.ROAD_STEMS)]
            district_rows.append((d_code, f"{self.name}{stem}区", self.f.boxes(
                dc * per_district * cm, dr * per_district * cm,
                (dc + 1) * per_district * cm, (dr + 1) * per_district * cm)))
            ss = s.streets_per_district_side
            for k in range(ss * ss):
                sc, sr = dc * ss + k % ss, dr * ss + ss - 1 - k // ss
                s_code = child_code(d_code, k + 1, "street")
                a, b = street_names[s_order[len(street_rows)]]
                street_rows.append((s_code, f"{a}{b}街道", d, self.f.boxes(
                    sc * per_street * cm, sr * per_street * cm,
                    (sc + 1) * per_street * cm, (sr + 1) * per_street * cm)))
                for m in range(per_street * per_street):
                    col = sc * per_street + m % per_street
                    row = sr * per_street + per_street - 1 - m // per_street
                    a, b = pairs[order[len(comm_rows)]]
                    comm_rows.append((child_code(s_code, m + 1, "community"), f"{a}{b}社区",
                                      len(street_rows) - 1, col, row))
        assert len(comm_rows) == c_side * c_side
        self.t.districts = {"code": [r[0] for r in district_rows],
                            "name": [r[1] for r in district_rows],
                            "geom": _multi(np.array([r[2] for r in district_rows]))}
        self.t.streets = {"code": [r[0] for r in street_rows], "name": [r[1] for r in street_rows],
                          "district": np.array([r[2] for r in street_rows]),
                          "geom": _multi(np.array([r[3] for r in street_rows]))}
        cols = np.array([r[3] for r in comm_rows])
        rows = np.array([r[4] for r in comm_rows])
        self.comm_col, self.comm_row = cols, rows
        self.t.communities = {
            "code": [r[0] for r in comm_rows], "name": [r[1] for r in comm_rows],
            "street": np.array([r[2] for r in comm_rows]),
            "geom": _multi(self.f.boxes(cols * cm, rows * cm, (cols + 1) * cm, (rows + 1) * cm)),
        }
        self.district_of_street = self.t.streets["district"]

    # -- grids, compounds, buildings --------------------------------------------------
    def housing(self) -> None:
        s, rng = self.s, self.rng
        nb = s.blocks_per_community_side
        block_m = s.community_m / nb
        order = serpentine(nb)
        n_comm = len(self.t.communities["code"])
        comm_hh = np.zeros(n_comm, dtype=np.int64)
        grid: dict[str, list[Any]] = {k: [] for k in ("code", "name", "community", "geom",
                                                     "households", "leader", "workers",
                                                     "party_branch")}
        res_blocks: list[tuple[int, float, float, int]] = []  # community, x0, y0, households
        self.spare: list[list[tuple[float, float]]] = []  # per community: spare block corners
        for c in range(n_comm):
            x0 = float(self.comm_col[c]) * s.community_m
            y0 = float(self.comm_row[c]) * s.community_m
            for _attempt in range(200):
                total = int(rng.integers(*COMMUNITY_HOUSEHOLDS))
                spare_idx = set(rng.choice(len(order), int(rng.integers(2, 5)),
                                           replace=False).tolist())
                w = rng.uniform(0.6, 1.4, len(order))
                w[list(spare_idx)] = 0.0
                hh = np.round(total * w / w.sum()).astype(int)
                if hh.max() > GRID_RANGE[1]:
                    continue
                try:
                    segments = balanced_segments(hh.tolist(), *GRID_RANGE, target=GRID_TARGET)
                except PartitionError:
                    continue
                break
            else:  # pragma: no cover - the ranges above always admit a partition
                raise RuntimeError(f"could not lay out community {c}")
            comm_hh[c] = hh.sum()
            corners = [(x0 + bc * block_m, y0 + br * block_m) for bc, br in order]
            self.spare.append([corners[i] for i in sorted(spare_idx)])
            res_blocks.extend((c, corners[i][0], corners[i][1], int(hh[i]))
                              for i in range(len(order)) if i not in spare_idx)
            # Grids numbered as the grid checks read them (west→east, then north→south).
            geoms = list(self.f.polygons([shapely.union_all([
                shapely.box(corners[i][0], corners[i][1], corners[i][0] + block_m,
                            corners[i][1] + block_m) for i in range(a, b)])
                for a, b in segments]))
            code, cname = self.t.communities["code"][c], self.t.communities["name"][c]
            for seq, k in enumerate(reading_order(geoms), start=1):
                a, b = segments[k]
                grid["code"].append(child_code(code, seq, "grid"))
                grid["name"].append(f"{cname}第{seq}网格")
                grid["community"].append(c)
                grid["geom"].append(geoms[k])
                grid["households"].append(int(hh[a:b].sum()))
                grid["leader"].append(self._person())
                grid["workers"].append([{"name": self._person(), "phone": self._mobile()}])
                grid["party_branch"].append(f"{cname}第{seq}网格党小组")
        self.t.grids = {**grid, "geom": _multi(np.array(grid["geom"], dtype=object)),
                        "community": np.array(grid["community"]),
                        "households": np.array(grid["households"])}
        self._outlines_from_grids()
        self.t.communities["households"] = comm_hh
        pop = np.round(comm_hh * rng.uniform(2.4, 2.9, n_comm)).astype(np.int64)
        self.t.communities["population"] = pop
        self.t.communities["party_members"] = np.round(pop * rng.uniform(0.03, 0.055, n_comm)
                                                       ).astype(np.int64)
        self._compounds_and_buildings(res_blocks, block_m)

    def _outlines_from_grids(self) -> None:
        """Communities as the union of their grids, streets of their communities, districts
        of their streets: every outline then has the vertices of the ones inside it.

        A box with only its four corners and grids with a vertex at every block corner along
        the same edge differ by millimetres once projected (a straight line in degrees is
        not straight in a metric projection), which grid checks report as 1 m² slivers.
        """
        def unions(geoms: Any, groups: np.ndarray, n: int) -> list[Any]:
            geoms = np.asarray(geoms, dtype=object)
            order = np.argsort(groups, kind="stable")
            cut = np.searchsorted(groups[order], np.arange(n + 1))
            return _multi(np.array([shapely.union_all(geoms[order[cut[k]:cut[k + 1]]])
                                    for k in range(n)], dtype=object))
        t = self.t
        t.communities["geom"] = unions(t.grids["geom"], t.grids["community"],
                                       len(t.communities["code"]))
        t.streets["geom"] = unions(t.communities["geom"], t.communities["street"],
                                   len(t.streets["code"]))
        t.districts["geom"] = unions(t.streets["geom"], t.streets["district"],
                                     len(t.districts["code"]))

    def _compounds_and_buildings(self, res_blocks: list[tuple[int, float, float, int]],
                                 block_m: float) -> None:
        s, rng = self.s, self.rng
        comm = np.array([b[0] for b in res_blocks])
        bx = np.array([b[1] for b in res_blocks])
        by = np.array([b[2] for b in res_blocks])
        bhh = np.array([b[3] for b in res_blocks])
        n_blocks = len(res_blocks)
        prefix = np.array(names.COMPOUND_PREFIX, dtype=object)
        suffix = np.array(names.COMPOUND_SUFFIX, dtype=object)
        cname = prefix[rng.integers(0, len(prefix), n_blocks)] + suffix[
            rng.integers(0, len(suffix), n_blocks)]
        self.t.compounds = {
            "name": cname.tolist(), "community": comm,
            "geom": self.f.boxes(bx + 2, by + 2, bx + block_m - 2, by + block_m - 2),
            "households": bhh,
        }
        # A building in every other cell of the block (a checkerboard).
        p, cell = s.cells_per_block_side, s.cell_m
        cells = [(i, j) for i in range(p) for j in range(p) if (i + j) % 2 == 0]
        per = len(cells)
        ci = np.array([c[0] for c in cells])
        cj = np.array([c[1] for c in cells])
        shares = rng.uniform(0.8, 1.2, (n_blocks, per))
        alloc = np.floor(bhh[:, None] * shares / shares.sum(axis=1, keepdims=True)).astype(int)
        alloc[:, -1] += bhh - alloc.sum(axis=1)
        side = rng.uniform(0.55, 0.8, (n_blocks, per)) * cell
        x0 = bx[:, None] + ci[None, :] * cell + (cell - side) / 2
        y0 = by[:, None] + cj[None, :] * cell + (cell - side) / 2
        per_floor = rng.choice([2, 3, 4], (n_blocks, per))
        levels = np.clip(np.ceil(alloc / per_floor), 2, 33).astype(int)
        seq = np.tile(np.arange(1, per + 1), n_blocks)
        res = {
            "compound": np.repeat(np.arange(n_blocks), per),
            "community": np.repeat(comm, per),
            "geom": self.f.boxes(x0.ravel(), y0.ravel(), (x0 + side).ravel(), (y0 + side).ravel()),
            "levels": levels.ravel(), "residential": np.ones(n_blocks * per, bool),
            "households": alloc.ravel(),
            "name": [f"{n}{k}栋" for n, k in zip(np.repeat(cname, per), seq, strict=True)],
        }
        # One hall in every spare block (schools, offices, markets: no households).
        halls = [(c, x, y) for c, blocks in enumerate(self.spare) for x, y in blocks]
        hc = np.array([h[0] for h in halls])
        hx = np.array([h[1] for h in halls])
        hy = np.array([h[2] for h in halls])
        n_h = len(halls)
        self.t.buildings = {
            "compound": np.concatenate([res["compound"], np.full(n_h, -1)]),
            "community": np.concatenate([res["community"], hc]),
            "geom": np.concatenate([res["geom"], self.f.boxes(hx + 15, hy + 15, hx + block_m / 2,
                                                        hy + block_m * 0.4)]),
            "levels": np.concatenate([res["levels"], rng.integers(2, 9, n_h)]),
            "residential": np.concatenate([res["residential"], np.zeros(n_h, bool)]),
            "households": np.concatenate([res["households"], np.zeros(n_h, int)]),
            "name": res["name"] + [""] * n_h,
        }

    # -- centers, units, pairings, members ------------------------------------------
    def services(self) -> None:
        s, rng = self.s, self.rng
        t = self.t
        block_m = s.community_m / s.blocks_per_community_side
        n_comm = len(t.communities["code"])
        street_of = t.communities["street"]
        c: dict[str, list[Any]] = {k: [] for k in (
            "name", "level", "street", "community", "x", "y", "floor_area", "opening_hours",
            "services", "phone", "address", "licensed", "comprehensive")}
        everything = ["party", "general", "proxy", "consult"]

        def center(name: str, level: str, comm: int, x: float, y: float, area: float,
                   services: list[str], licensed: bool = True) -> None:
            c["name"].append(name)
            c["level"].append(level)
            c["street"].append(int(street_of[comm]))
            c["community"].append(comm)
            c["x"].append(x)
            c["y"].append(y)
            c["floor_area"].append(area)
            c["opening_hours"].append(names.HOURS[len(c["name"]) % len(names.HOURS)])
            c["services"].append(services)
            c["phone"].append(f"028-8{int(rng.integers(10**6, 10**7)):07d}")
            c["address"].append(f"{t.communities['name'][comm]}居委会")
            c["licensed"].append(licensed)
            c["comprehensive"].append(area >= 1500)

        first_of_street: dict[int, int] = {}
        for comm in range(n_comm):
            first_of_street.setdefault(int(street_of[comm]), comm)
        for d, name in enumerate(t.districts["name"]):
            host = next(k for k in range(n_comm)
                        if self.district_of_street[street_of[k]] == d)
            x, y = self.spare[host][0]
            center(f"{name}党群服务中心", "district", host, x + 10, y + 10, 2400.0, everything)
        for st, name in enumerate(t.streets["name"]):
            host = first_of_street[st]
            x, y = self.spare[host][-1]
            center(f"{name}党群服务中心", "street", host, x + block_m - 12, y + 12,
                   float(rng.integers(800, 1600)), everything)
        without = rng.random(n_comm) < 0.05
        for comm in range(n_comm):
            if not without[comm]:
                x, y = self.spare[comm][0]
                center(f"{t.communities['name'][comm]}党群服务中心", "community", comm,
                       x + 30, y + 12, float(rng.integers(240, 950)),
                       sorted(rng.choice(everything, int(rng.integers(2, 5)),
                                         replace=False).tolist()),
                       licensed=bool(rng.random() > 0.03))
        comp = t.compounds
        comp_of: dict[int, list[int]] = {}
        for k, cm in enumerate(comp["community"].tolist()):
            comp_of.setdefault(cm, []).append(k)
        cx = shapely.get_x(shapely.centroid(comp["geom"]))
        cy = shapely.get_y(shapely.centroid(comp["geom"]))
        sites: list[tuple[int, int]] = []
        for comm in range(n_comm):
            for k in rng.choice(comp_of[comm], int(rng.integers(1, 3)), replace=False):
                sites.append((comm, int(k)))
        self.t.centers = {k: v for k, v in c.items() if k not in ("x", "y")}
        loc = self.f.points(np.array(c["x"]), np.array(c["y"]))
        self.t.centers["location"] = np.concatenate([loc, shapely.points(
            cx[[k for _, k in sites]], cy[[k for _, k in sites]])])
        for comm, k in sites:
            name = t.communities["name"][comm]
            self.t.centers["name"].append(f"{comp['name'][k]}小区党群服务站")
            self.t.centers["level"].append("site")
            self.t.centers["street"].append(int(street_of[comm]))
            self.t.centers["community"].append(comm)
            self.t.centers["floor_area"].append(float(rng.integers(60, 150)))
            self.t.centers["opening_hours"].append(names.HOURS[2])
            self.t.centers["services"].append(["consult", "party"])
            self.t.centers["phone"].append(f"028-8{int(rng.integers(10**6, 10**7)):07d}")
            self.t.centers["address"].append(f"{name}{comp['name'][k]}物业楼")
            self.t.centers["licensed"].append(True)
            self.t.centers["comprehensive"].append(False)
        self._units(block_m)
        self._members()

    def _units(self, block_m: float) -> None:
        rng, t = self.rng, self.t
        n_comm = len(t.communities["code"])
        kinds = list(names.UNITS)
        members_by_type = {"organ": (30, 250), "institution": (40, 400), "soe": (50, 600),
                           "university": (200, 1500), "private": (5, 80), "social": (3, 30)}
        per_comm = 10
        u: dict[str, list[Any]] = {k: [] for k in ("name", "unit_type", "x", "y",
                                                  "party_members", "capacity", "address",
                                                  "community")}
        for comm in range(n_comm):
            district = t.districts["name"][self.district_of_street[t.communities["street"][comm]]]
            d_stem = district.split("区")[0]
            spare = self.spare[comm]
            for k in range(per_comm):
                kind = kinds[int(rng.integers(0, len(kinds)))]
                pool = names.UNITS[kind]
                base = pool[int(rng.integers(0, len(pool)))]
                base = d_stem + base[1:] if base.startswith("区") else base
                x, y = spare[k % len(spare)]
                u["name"].append(f"{base}第{comm * per_comm + k + 1}党支部")
                u["unit_type"].append(kind)
                u["x"].append(x + float(rng.uniform(20, block_m - 20)))
                u["y"].append(y + float(rng.uniform(20, block_m - 20)))
                u["party_members"].append(int(rng.integers(*members_by_type[kind])))
                u["capacity"].append(2 if kind == "university" or rng.random() < 0.2 else 1)
                u["address"].append(f"{t.communities['name'][comm]}辖区")
                u["community"].append(comm)
        self.unit_community = np.array(u.pop("community"))
        self.t.units = {k: v for k, v in u.items() if k not in ("x", "y")}
        self.t.units["location"] = self.f.points(np.array(u["x"]), np.array(u["y"]))
        # One signed pairing per community with a unit of its own (5% have none yet).
        first_unit = np.arange(n_comm) * per_comm
        has = rng.random(n_comm) >= 0.05
        days = rng.integers(0, 365, int(has.sum()))
        self.t.pairings = {"unit": first_unit[has], "community": np.arange(n_comm)[has],
                           "status": "signed",
                           "agreement_date": [dt.date(2025, 1, 1) + dt.timedelta(days=int(d))
                                              for d in days]}

    def _members(self) -> None:
        rng, t = self.rng, self.t
        n_comm = len(t.communities["code"])
        counts = rng.integers(40, 110, n_comm)
        over = rng.random(n_comm) < 0.03
        counts[over] = rng.integers(105, 136, int(over.sum()))
        comm = np.repeat(np.arange(n_comm), counts)
        n = len(comm)
        comp_geom = t.compounds["geom"]
        comp_comm = t.compounds["community"]
        order = np.argsort(comp_comm, kind="stable")  # compounds grouped by community
        bounds = np.searchsorted(comp_comm[order], np.arange(n_comm + 1))
        comp_of = {cm: order[bounds[cm]:bounds[cm + 1]] for cm in range(n_comm)}
        pick = np.array([comp_of[cm][int(rng.integers(0, len(comp_of[cm])))]
                         for cm in comm.tolist()])
        b = shapely.bounds(comp_geom[pick])
        u = rng.random((n, 2))
        residence = shapely.points(b[:, 0] + u[:, 0] * (b[:, 2] - b[:, 0]),
                                   b[:, 1] + u[:, 1] * (b[:, 3] - b[:, 1]))
        unit = comm * 10 + rng.integers(0, 10, n)
        roll = rng.random(n)
        street = t.communities["street"]
        # 85% reported where they live, 10% to another community of their street, 5% not yet.
        neighbour = np.where(comm + 1 < n_comm, comm + 1, comm - 1)
        neighbour = np.where(street[neighbour] == street[comm], neighbour, comm)
        reported = np.where(roll < 0.85, comm, np.where(roll < 0.95, neighbour, -1))
        days = rng.integers(0, 700, n)
        start = dt.date(2024, 1, 1)
        region = self.code + "01"
        self.t.members = {
            "name": [self._person() for _ in range(n)],
            "phone": [self._mobile() for _ in range(n)],
            "id_number": [self._id_number(region) for _ in range(n)],
            "home_unit": unit, "residence": residence, "residence_community": comm,
            "reported_community": reported,
            "reported_on": [start + dt.timedelta(days=int(d)) if r >= 0 else None
                            for d, r in zip(days, reported, strict=True)],
        }

    # -- names ---------------------------------------------------------------------
    def _person(self) -> str:
        return names.person_name(self.py)

    def _mobile(self) -> str:
        return names.mobile(self.py)

    def _id_number(self, region: str) -> str:
        return names.id_number(self.py, region)


def generate_city_tables(shape: CityShape = CITY, seed: int = 2026, code: str = CITY_CODE,
                         name: str = CITY_NAME,
                         origin: tuple[float, float] = (ORIGIN_LON, ORIGIN_LAT)) -> CityTables:
    """Build the synthetic city as columns; the same arguments give the same city.

    ``code`` is the city's 4-digit prefix of its districts' codes; ``origin`` its south-west
    corner (lon, lat).
    """
    b = _CityBuilder(shape, seed, code, name, origin)
    b.hierarchy()
    b.housing()
    b.services()
    b.network()
    return b.t


PROVINCE_CITY = CityShape(districts_per_side=1, streets_per_district_side=3,
                          communities_per_street_side=3)  # 81 communities, 46,900 nodes
PROVINCE_CITIES = 20


def generate_province(n: int = PROVINCE_CITIES, shape: CityShape = PROVINCE_CITY,
                      seed: int = 2026) -> list[CityTables]:
    """``n`` synthetic cities about 20 km apart (codes 5150, 5151, ...): a province to fan
    out over."""
    cities = []
    for k in range(n):
        stem = names.ROAD_STEMS[k % len(names.ROAD_STEMS)]
        cities.append(generate_city_tables(
            shape, seed + k, code=f"51{50 + k:02d}", name=stem,
            origin=(105.0 + (k % 5) * 0.21, 29.0 + (k // 5) * 0.18)))
    return cities
