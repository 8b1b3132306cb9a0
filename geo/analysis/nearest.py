"""Walking distance to the nearest service centers (Django-free).

A :class:`CenterField` is one multi-source Dijkstra from all centers: every node
learns its nearest center, the distance and its predecessor towards that center.
Points (a resident, a building) are snapped onto an edge; their distance is exact:

    d(p) = access(p) + min( along + D[u],  (L - along) + D[v],
                            |along - along_c| + access_c   for centers c on p's edge )

where u, v are the ends of p's edge of length L and D the field. The k nearest
centers of one point come from a Dijkstra bounded by a radius that grows until k
centers lie inside it, so every answer inside the radius is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .network import FloatArray, IntArray, NetworkError, Snap, WalkGraph
from .text import Text

NO_NODE = -9999


@dataclass(frozen=True)
class WalkAnswer:
    """One center reached on foot from a point: index, metres and the route in WGS84."""

    center: int
    distance_m: float
    route: list[tuple[float, float]]


@dataclass
class CenterField:
    """Nearest center, distance and predecessor for every node of a graph.

    ``dist[i]`` is metres from node i to its nearest center (inf when unreachable),
    ``source[i]`` that center's index (-1 when unreachable) and ``pred[i]`` the next
    node towards it (-1 at the center's own edge ends).
    """

    graph: WalkGraph
    center_lonlat: FloatArray
    center_snap: Snap
    dist: FloatArray
    source: IntArray
    pred: IntArray

    @property
    def n_centers(self) -> int:
        """Number of centers."""
        return int(self.center_lonlat.shape[0])

    @classmethod
    def build(cls, graph: WalkGraph, center_lonlat: npt.ArrayLike) -> CenterField:
        """Run one multi-source Dijkstra from all centers.

        Each center becomes a virtual node with one-way arcs to the two ends of its
        edge (access + along, access + L - along); with no arcs into it, no path can
        pass through a center and the virtual nodes never shorten anything.
        """
        centers = np.asarray(center_lonlat, dtype=np.float64).reshape(-1, 2)
        n, c = graph.n_nodes, centers.shape[0]
        if c == 0:
            raise NetworkError(Text("没有服务中心，无法计算距离"))
        snap = graph.snap(centers)
        u, v = graph.edge_u[snap.edge], graph.edge_v[snap.edge]
        length = graph.edge_length[snap.edge]
        to_u = snap.access + snap.along
        to_v = snap.access + (length - snap.along)
        loop = u == v
        to_u = np.where(loop, np.minimum(to_u, to_v), to_u)
        virt = np.arange(n, n + c, dtype=np.int64)
        rows = np.concatenate([virt, virt[~loop]])
        cols = np.concatenate([u, v[~loop]])
        data = np.concatenate([to_u, to_v[~loop]])
        base = graph.matrix.tocoo()
        ext = csr_matrix(
            (np.concatenate([base.data, data]),
             (np.concatenate([base.row, rows]), np.concatenate([base.col, cols]))),
            shape=(n + c, n + c),
        )
        dist, pred, src = dijkstra(ext, directed=True, indices=virt, min_only=True,
                                   return_predecessors=True)
        source = np.where(src[:n] >= n, src[:n] - n, -1).astype(np.int64)
        pred_n = np.where(pred[:n] >= n, -1, pred[:n]).astype(np.int64)
        pred_n[pred[:n] == NO_NODE] = -1
        return cls(graph=graph, center_lonlat=centers, center_snap=snap,
                   dist=dist[:n], source=source, pred=pred_n)

    def distances(self, lonlat: npt.ArrayLike) -> tuple[FloatArray, IntArray, FloatArray]:
        """Distance in metres to the nearest center, its index and the access metres.

        Vectorised over points; unreachable points get inf and -1.
        """
        snap = self.graph.snap(lonlat)
        return (*self._combine(snap), snap.access)

    def _combine(self, snap: Snap) -> tuple[FloatArray, IntArray]:
        g = self.graph
        u, v = g.edge_u[snap.edge], g.edge_v[snap.edge]
        length = g.edge_length[snap.edge]
        via_u = snap.along + self.dist[u]
        via_v = (length - snap.along) + self.dist[v]
        best = np.minimum(via_u, via_v)
        src = np.where(via_u <= via_v, self.source[u], self.source[v])
        # Centers on the same edge as the point: walk straight along it.
        c_edge = self.center_snap.edge
        if c_edge.size:
            order = np.argsort(c_edge, kind="stable")
            sorted_edges = c_edge[order]
            lo = np.searchsorted(sorted_edges, snap.edge, side="left")
            hi = np.searchsorted(sorted_edges, snap.edge, side="right")
            for i in np.nonzero(hi > lo)[0]:
                for c in order[lo[i]:hi[i]]:
                    d = abs(snap.along[i] - self.center_snap.along[c]) + \
                        self.center_snap.access[c]
                    if d < best[i]:
                        best[i], src[i] = d, c
        best = best + snap.access
        src = np.where(np.isfinite(best), src, -1)
        return best, src.astype(np.int64)

    def nearest(self, lonlat: tuple[float, float]) -> WalkAnswer | None:
        """The nearest center of one point with its route, from the field alone."""
        snap = self.graph.snap([lonlat])
        dist, src = self._combine(snap)
        if src[0] < 0:
            return None
        center = int(src[0])
        route = self._route_from_field(lonlat, snap, center)
        return WalkAnswer(center=center, distance_m=float(dist[0]), route=route)

    def k_nearest(self, lonlat: tuple[float, float], k: int,
                  first_radius_m: float | None = None) -> list[WalkAnswer]:
        """The k nearest centers by walking distance, exact, with routes.

        A Dijkstra from the point's edge ends is bounded by a radius R; the centers
        found within R are exact. R starts at twice the nearest-center distance and
        doubles until k centers lie within it or the whole component is searched.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        g = self.graph
        snap = g.snap([lonlat])
        nearest_d, _ = self._combine(snap)
        if not np.isfinite(nearest_d[0]):
            return []
        radius = first_radius_m or max(2.0 * float(nearest_d[0]), 500.0)
        e, along, access = int(snap.edge[0]), float(snap.along[0]), float(snap.access[0])
        ends = np.array([g.edge_u[e], g.edge_v[e]])
        offs = np.array([along, g.edge_length[e] - along])
        cs = self.center_snap
        cu, cv = g.edge_u[cs.edge], g.edge_v[cs.edge]
        c_offs = np.stack([cs.along, g.edge_length[cs.edge] - cs.along])  # (2, C)
        while True:
            dq, pred = dijkstra(g.matrix, directed=True, indices=ends, limit=radius,
                                return_predecessors=True)
            # total[s, w, c]: leave by end s, reach center c's end w.
            reach = np.stack([dq[:, cu], dq[:, cv]], axis=1)  # (2, 2, C)
            total = offs[:, None, None] + reach + c_offs[None, :, :]
            flat = total.reshape(4, -1)
            choice = np.argmin(flat, axis=0)
            best = flat[choice, np.arange(flat.shape[1])]
            same = cs.edge == e
            direct = np.abs(cs.along - along)
            use_direct = same & (direct <= best)
            best = np.where(use_direct, direct, best)
            best = best + cs.access + access
            searched_all = not np.isinf(dq).any() or radius > 4 * g.edge_length.sum()
            # Once every reachable node is settled, every finite total is exact, even one
            # beyond the radius (the last stretch along the center's edge and its access).
            inside = np.nonzero(np.isfinite(best) if searched_all else best <= radius)[0]
            if inside.size >= k or searched_all:
                break
            radius *= 2.0
        picked = inside[np.argsort(best[inside], kind="stable")][:k]
        answers = []
        for c in picked.tolist():
            if use_direct[c]:
                route_m = self._direct_route(snap, c)
            else:
                s, w = divmod(int(choice[c]), 2)
                nodes = _walk_back(pred[s], int(ends[s]), int((cu, cv)[w][c]))
                route_m = self._assemble(snap, s == 0, nodes, c, w == 0)
            answers.append(WalkAnswer(center=c, distance_m=float(best[c]),
                                      route=self._with_ends(lonlat, route_m, c)))
        return answers

    def _route_from_field(self, lonlat: tuple[float, float], snap: Snap,
                          center: int) -> list[tuple[float, float]]:
        g, cs = self.graph, self.center_snap
        e, along = int(snap.edge[0]), float(snap.along[0])
        direct = abs(along - cs.along[center]) if cs.edge[center] == e else np.inf
        u, v = int(g.edge_u[e]), int(g.edge_v[e])
        via_u = along + self.dist[u] if self.source[u] == center else np.inf
        via_v = g.edge_length[e] - along + self.dist[v] if self.source[v] == center else np.inf
        if direct <= min(via_u, via_v):
            return self._with_ends(lonlat, self._direct_route(snap, center), center)
        start = u if via_u <= via_v else v
        nodes = [start]
        while self.pred[nodes[-1]] >= 0:
            nodes.append(int(self.pred[nodes[-1]]))
        last = nodes[-1]
        ce = int(cs.edge[center])
        route_m = self._assemble(snap, start == u, nodes, center, bool(g.edge_u[ce] == last))
        return self._with_ends(lonlat, route_m, center)

    def _assemble(self, snap: Snap, leave_by_start: bool, nodes: list[int], center: int,
                  arrive_at_start: bool) -> list[tuple[float, float]]:
        g, cs = self.graph, self.center_snap
        coords = g.partial_m(int(snap.edge[0]), float(snap.along[0]), to_start=leave_by_start)
        coords += g.path_line_m(nodes)[1:] if len(nodes) > 1 else []
        tail = g.partial_m(int(cs.edge[center]), float(cs.along[center]),
                           to_start=arrive_at_start)
        coords += tail[::-1][1:]
        return coords

    def _direct_route(self, snap: Snap, center: int) -> list[tuple[float, float]]:
        g, cs = self.graph, self.center_snap
        line = g.lines_m[int(snap.edge[0])]
        scale = line.length / g.edge_length[int(snap.edge[0])]
        part = shapely.ops.substring(line, float(snap.along[0]) * scale,
                                     float(cs.along[center]) * scale)
        return [tuple(c) for c in shapely.get_coordinates(part)]

    def _with_ends(self, lonlat: tuple[float, float], route_m: list[tuple[float, float]],
                   center: int) -> list[tuple[float, float]]:
        ll = self.graph.to_lonlat_coords(route_m)
        start = (float(lonlat[0]), float(lonlat[1]))
        end = (float(self.center_lonlat[center, 0]), float(self.center_lonlat[center, 1]))
        return _dedupe([start, *ll, end])


def _walk_back(pred_row: IntArray, source: int, target: int) -> list[int]:
    """Node path from ``source`` to ``target`` through a Dijkstra predecessor row."""
    path = [target]
    while path[-1] != source:
        p = int(pred_row[path[-1]])
        if p < 0:
            raise NetworkError(f"node {target} is not reachable from {source}")
        path.append(p)
    return path[::-1]


def _dedupe(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for c in coords:
        if not out or abs(out[-1][0] - c[0]) > 1e-10 or abs(out[-1][1] - c[1]) > 1e-10:
            out.append(c)
    if len(out) == 1:
        out.append(out[0])
    return out


def walk_matrix(graph: WalkGraph, origins: npt.ArrayLike, targets: npt.ArrayLike,
                chunk: int = 64, limit: float = np.inf) -> FloatArray:
    """(O, T) walking metres between points, exact, with partial edges and access walks.

    One Dijkstra per target edge end, run in chunks of ``chunk`` targets so memory
    stays at 2 × chunk × nodes distances. With a ``limit`` each Dijkstra stops at that
    many metres: every distance up to ``limit`` is still exact (its path's node part is no
    longer), longer ones may read inf — what a pairing with that maximum distance needs,
    at a fraction of the search (a city's 20 km instead of its whole network).
    """
    o = graph.snap(origins)
    t = graph.snap(targets)
    n_o, n_t = o.edge.size, t.edge.size
    out = np.full((n_o, n_t), np.inf)
    ou, ov = graph.edge_u[o.edge], graph.edge_v[o.edge]
    o_offs = np.stack([o.along, graph.edge_length[o.edge] - o.along])  # (2, O)
    for start in range(0, n_t, chunk):
        sl = slice(start, min(start + chunk, n_t))
        te = t.edge[sl]
        ends = np.concatenate([graph.edge_u[te], graph.edge_v[te]])
        d = dijkstra(graph.matrix, directed=True, indices=ends, limit=limit)
        k = te.size
        t_offs = np.stack([t.along[sl], graph.edge_length[te] - t.along[sl]])  # (2, k)
        best = np.full((n_o, k), np.inf)
        for s in range(2):  # target leaves by its start (0) or end (1)
            rows = d[s * k:(s + 1) * k]  # (k, N)
            for w, o_end in enumerate((ou, ov)):
                cand = t_offs[s][None, :] + rows[:, o_end].T + o_offs[w][:, None]
                best = np.minimum(best, cand)
        same = o.edge[:, None] == te[None, :]
        direct = np.abs(o.along[:, None] - t.along[sl][None, :])
        best = np.where(same, np.minimum(best, direct), best)
        out[:, sl] = best + o.access[:, None] + t.access[sl][None, :]
    if np.isfinite(limit):
        out[out > limit] = np.inf  # the same answer whichever path the cut-off search saw
    return out
