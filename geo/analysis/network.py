"""The walking network as a sparse graph, with points snapped onto its edges (Django-free).

Nodes are numbered 0..n-1. Edges are undirected segments with a length in metres and
a polyline geometry. Lengths come from the caller (geodesic metres from the import);
the local metric projection is used only to snap points and to measure the share of
an edge on either side of a snapped point.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
import shapely.ops
from pyproj import Transformer
from scipy.sparse import csr_matrix

from .errors import NetworkError as NetworkError  # re-exported: callers import it here
from .projection import local_equal_area
from .text import Text

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Snap:
    """Where points meet the network.

    ``edge[i]`` is the edge point i snaps to, ``along[i]`` the distance in metres from
    that edge's start node to the snapped point, and ``access[i]`` the straight-line
    distance in metres from the point to the snapped point (walked as well).
    """

    edge: IntArray
    along: FloatArray
    access: FloatArray
    snapped_xy: FloatArray


@dataclass
class WalkGraph:
    """An undirected walking graph in CSR form with an edge index for snapping.

    Build with :meth:`from_arrays`. ``matrix`` holds, for each node pair, the shortest
    of the parallel edges between them; ``edge_of_arc`` maps each stored arc back to
    the edge it came from, so routes can be drawn with the full edge geometry.
    """

    lonlat: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length: FloatArray
    lines_m: npt.NDArray[np.object_]
    matrix: csr_matrix
    edge_of_arc: IntArray
    to_metres: Transformer
    to_lonlat: Transformer
    tree: shapely.STRtree = field(repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.lonlat.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of (directed) edges."""
        return int(self.edge_u.shape[0])

    @classmethod
    def from_arrays(
        cls,
        node_lonlat: npt.ArrayLike,
        edge_u: npt.ArrayLike,
        edge_v: npt.ArrayLike,
        edge_length: npt.ArrayLike,
        edge_lines: list[shapely.LineString] | None = None,
    ) -> WalkGraph:
        """Build the graph from node coordinates and an edge list.

        Parameters
        ----------
        node_lonlat : (n, 2) WGS84 longitude, latitude of the nodes
        edge_u, edge_v : (m,) node indices of each edge's ends
        edge_length : (m,) length of each edge in metres, > 0
        edge_lines : optional WGS84 polylines from u to v; straight segments otherwise
        """
        lonlat = np.asarray(node_lonlat, dtype=np.float64).reshape(-1, 2)
        u = np.asarray(edge_u, dtype=np.int64).ravel()
        v = np.asarray(edge_v, dtype=np.int64).ravel()
        length = np.asarray(edge_length, dtype=np.float64).ravel()
        n = lonlat.shape[0]
        if n == 0 or u.size == 0:
            raise NetworkError(Text("路网为空：请先导入路网（import_osm 或 load_demo）"))
        if not (u.size == v.size == length.size):
            raise NetworkError(f"edge arrays differ in length: {u.size}, {v.size}, {length.size}")
        if u.min() < 0 or v.min() < 0 or max(u.max(), v.max()) >= n:
            raise NetworkError(f"edge endpoints must be node indices 0..{n - 1}")
        if not np.all(np.isfinite(length)) or np.any(length <= 0):
            raise NetworkError("edge lengths must be finite and positive metres")
        centre = lonlat.mean(axis=0)
        crs = local_equal_area(float(centre[0]), float(centre[1]))
        to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        if edge_lines is None:
            x, y = to_m.transform(lonlat[:, 0], lonlat[:, 1])
            xy = np.column_stack([x, y])
            coords = np.stack([xy[u], xy[v]], axis=1)
            lines_m = shapely.linestrings(coords)
        else:
            if len(edge_lines) != u.size:
                raise NetworkError(f"{len(edge_lines)} edge lines for {u.size} edges")
            lines_m = shapely.transform(np.asarray(edge_lines, dtype=object),
                                        lambda c: np.column_stack(to_m.transform(c[:, 0],
                                                                                 c[:, 1])))
        matrix, edge_of_arc = _symmetric_min_csr(n, u, v, length)
        return cls(lonlat=lonlat, edge_u=u, edge_v=v, edge_length=length, lines_m=lines_m,
                   matrix=matrix, edge_of_arc=edge_of_arc, to_metres=to_m, to_lonlat=to_ll,
                   tree=shapely.STRtree(lines_m))

    def project(self, lonlat: npt.ArrayLike) -> FloatArray:
        """WGS84 (k, 2) to the graph's local metres (k, 2)."""
        pts = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        x, y = self.to_metres.transform(pts[:, 0], pts[:, 1])
        return np.column_stack([x, y])

    def snap(self, lonlat: npt.ArrayLike) -> Snap:
        """Snap points to their nearest edge (not node); vectorised over points.

        The along-edge distance is the projected position scaled to the edge's stored
        length, so a snapped point splits the edge's metres in the same proportion as
        its geometry.
        """
        xy = self.project(lonlat)
        pts = shapely.points(xy)
        edge = self._nearest_edge(pts)
        lines = self.lines_m[edge]
        pos = shapely.line_locate_point(lines, pts)
        geom_len = shapely.length(lines)
        frac = np.divide(pos, geom_len, out=np.zeros_like(pos), where=geom_len > 0)
        snapped = shapely.line_interpolate_point(lines, pos)
        sxy = shapely.get_coordinates(snapped)
        access = np.hypot(sxy[:, 0] - xy[:, 0], sxy[:, 1] - xy[:, 1])
        return Snap(edge=edge, along=frac * self.edge_length[edge], access=access,
                    snapped_xy=sxy)

    def _nearest_edge(self, pts: np.ndarray) -> npt.NDArray[np.int64]:
        """The nearest edge of each point (of edges as near within a micrometre, the lowest).

        A point midway between two streets is as near to both: which one the tree finds
        first depends on the tree's shape and the projection's rounding, so the same
        building would read a different distance in a graph of its city and one of its
        province. Edge indices follow the database's ids in every graph, so the lowest is
        the same choice in both.
        """
        (qi, ti), dist = self.tree.query_nearest(pts, all_matches=False, return_distance=True)
        nearest = np.empty(len(pts))
        nearest[qi] = dist
        qi, ti = self.tree.query(pts, predicate="dwithin", distance=nearest + 1e-6)
        edge = np.full(len(pts), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(edge, qi, ti.astype(np.int64))
        return edge

    def arc_edge(self, a: int, b: int) -> int:
        """Index of the shortest edge joining nodes a and b."""
        start, stop = self.matrix.indptr[a], self.matrix.indptr[a + 1]
        hits = np.nonzero(self.matrix.indices[start:stop] == b)[0]
        if hits.size == 0:
            raise NetworkError(f"no edge between nodes {a} and {b}")
        return int(self.edge_of_arc[start + hits[0]])

    def path_line_m(self, nodes: list[int]) -> list[tuple[float, float]]:
        """Coordinates in local metres along a node path, following edge geometry."""
        out: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(nodes):
            e = self.arc_edge(a, b)
            coords = shapely.get_coordinates(self.lines_m[e])
            if self.edge_u[e] != a:
                coords = coords[::-1]
            out.extend(map(tuple, coords[1:] if out else coords))
        return out

    def partial_m(self, edge: int, along: float, to_start: bool) -> list[tuple[float, float]]:
        """Coordinates from the point ``along`` metres into ``edge`` to one of its ends."""
        line = self.lines_m[edge]
        length = self.edge_length[edge]
        frac = along / length if length > 0 else 0.0
        geom_pos = frac * line.length
        if to_start:
            part = shapely.ops.substring(line, geom_pos, 0.0)
        else:
            part = shapely.ops.substring(line, geom_pos, line.length)
        return [tuple(c) for c in shapely.get_coordinates(part)]

    def to_lonlat_coords(self, coords_m: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Local metres back to WGS84."""
        if not coords_m:
            return []
        arr = np.asarray(coords_m, dtype=np.float64)
        lon, lat = self.to_lonlat.transform(arr[:, 0], arr[:, 1])
        return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _symmetric_min_csr(n: int, u: IntArray, v: IntArray,
                       length: FloatArray) -> tuple[csr_matrix, IntArray]:
    """A symmetric CSR matrix keeping the shortest of parallel edges.

    scipy sums duplicate entries when it builds CSR from COO, which would turn two
    parallel 50 m edges into one 100 m arc; so duplicates are removed first.
    Self-loops never shorten a path and are dropped.
    """
    keep = u != v
    eid = np.nonzero(keep)[0]
    rows = np.concatenate([u[keep], v[keep]])
    cols = np.concatenate([v[keep], u[keep]])
    data = np.concatenate([length[keep], length[keep]])
    eids = np.concatenate([eid, eid])
    order = np.lexsort((data, cols, rows))
    rows, cols, data, eids = rows[order], cols[order], data[order], eids[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, data, eids = rows[first], cols[first], data[first], eids[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    matrix = csr_matrix((data, cols, indptr), shape=(n, n))
    return matrix, eids.astype(np.int64)
