"""Where to put direction signs (指引牌) to a service center, and what they say (Django-free).

Formulation
-----------
Let T be the shortest-path tree of the walking graph rooted at the center (the center
snapped onto its edge, its access walk included), cut at the reach R: every node x with
d(x) ≤ R has a parent p(x) one step nearer the center. Each household h the center
serves (its nearest center, within R) enters T at the end of its own edge through which
its walk is shortest, e(h).

A *candidate* is an intersection on a main road: a node touching a trunk or primary edge
with at least three neighbours, at least ``min_from_center_m`` from the center (a sign at
the door helps no one). A household's walk *joins* the main road at the first candidate on
its path to the center,

    j(h) = the first x on e(h), p(e(h)), p(p(e(h))), … that is a candidate,

and each candidate c scores s(c) = Σ_{h: j(h) = c} w_h, the households whose walk joins
the main road there. Sites are chosen greedily by score, skipping a candidate within
``min_spacing_m`` (straight line) of one already chosen, up to ``max_signs``; ties go to
the nearer node, then the lower index.

A sign reads the walking distance d(c), the bearing from the site to the center (degrees
clockwise from north, on the WGS84 ellipsoid), and the bearing of the first step of the
walk (towards p(c)), which is where an arrow on the sign points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyproj import Geod
from scipy.sparse.csgraph import dijkstra

from .network import WalkGraph
from .sign_rules import SignRules as SignRules  # re-exported

GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class SignSite:
    """One proposed sign: where, how far and which way to the center, and whom it serves."""

    node: int
    lon: float
    lat: float
    walk_m: float
    bearing_deg: float
    route_bearing_deg: float
    households: float
    main_edge: int


@dataclass(frozen=True)
class SignPlan:
    """The sites for one center and how many of its households they guide."""

    sites: list[SignSite]
    households_served: float
    households_guided: float


def bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    az, _back, _dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(az) % 360.0


def compass(deg: float) -> int:
    """The compass point of ``deg``: 0 north, 1 north-east, … 7 north-west (45° sectors)."""
    return int(((deg % 360.0) + 22.5) // 45.0) % 8


def plan_signs(graph: WalkGraph, center: tuple[float, float], homes: npt.ArrayLike,
               weights: npt.ArrayLike, main_edge: npt.ArrayLike, rules: SignRules,
               kept: npt.ArrayLike = ()) -> SignPlan:
    """Sign sites for one center (see the module docstring).

    Parameters
    ----------
    graph : the walking graph
    center : (lon, lat) of the center
    homes : (H, 2) lon, lat of the buildings the center serves
    weights : (H,) households in each
    main_edge : (E,) bool, the edge is a trunk or primary road
    rules : the reach (signs and the homes they serve lie within it), how many signs, how
        far apart and how far from the door
    kept : (K, 2) lon, lat of signs already approved or standing: they count towards
        ``max_signs`` and new sites keep ``min_spacing_m`` from them
    """
    main = np.asarray(main_edge, dtype=bool)
    if main.shape != (graph.n_edges,):
        raise ValueError(f"main_edge needs one flag per edge ({graph.n_edges}), got {main.shape}")
    h_xy = np.asarray(homes, dtype=np.float64).reshape(-1, 2)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (h_xy.shape[0],):
        raise ValueError("one weight per home")
    reach_m = rules.reach_m
    dist, pred = _tree(graph, center, reach_m)
    n = graph.n_nodes
    entry, walk = _entries(graph, h_xy, dist)
    served = walk <= reach_m
    candidate = _candidates(graph, main, dist, reach_m, rules.min_from_center_m)
    # First candidate on the way to the center, nodes in order of distance from it.
    first = np.full(n + 1, -1, dtype=np.int64)
    reached = np.flatnonzero(np.isfinite(dist[:n]))
    for x in reached[np.argsort(dist[reached], kind="stable")]:
        first[x] = x if candidate[x] else (first[pred[x]] if pred[x] >= 0 else -1)
    score = np.zeros(n, dtype=np.float64)
    joined = first[entry[served]]
    ok = joined >= 0
    np.add.at(score, joined[ok], w[served][ok])
    kept_xy = graph.project(np.asarray(kept, dtype=np.float64).reshape(-1, 2))
    sites = _choose(graph, score, dist, pred, main, center, rules, kept_xy)
    return SignPlan(sites=sites, households_served=float(w[served].sum()),
                    households_guided=float(sum(s.households for s in sites)))


def _tree(graph: WalkGraph, center: tuple[float, float],
          reach_m: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Distances and parents from the center, with index n standing for the center.

    The center stands ``access`` metres off an edge (u, v), at ``a`` metres from u: a
    node's walk leaves by u or by v, whichever is shorter, so two searches from u and v
    (each cut at the reach) with the two parts of the edge added give the tree without
    copying the graph.
    """
    snap = graph.snap([center])
    e, a = int(snap.edge[0]), float(snap.along[0])
    u, v, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_length[e])
    n = graph.n_nodes
    d, p = dijkstra(graph.matrix, directed=True, indices=[u, v], limit=reach_m,
                    return_predecessors=True)
    # The walk from the road to the center's door counts too (as the nearest-center field
    # counts it), so a sign never reads less than the straight line.
    access = float(snap.access[0])
    via = np.vstack([d[0] + a, d[1] + (length - a)]) + access
    # A center at an end of its edge stands at that node: every walk passes it.
    if a <= 0.0:
        via[1] = np.inf
    elif a >= length:
        via[0] = np.inf
    side = np.argmin(via, axis=0)
    dist = np.full(n + 1, np.inf)
    dist[:n] = via[side, np.arange(n)]
    dist[n] = 0.0
    dist[dist > reach_m] = np.inf
    pred = np.asarray(p[side, np.arange(n)], dtype=np.int64)
    pred[(pred < 0) | ~np.isfinite(dist[:n])] = -1
    pred = np.append(pred, -1)
    for end, k in ((u, 0), (v, 1)):
        if side[end] == k and np.isfinite(dist[end]):
            pred[end] = n  # the source of its own search: next stop, the center
    return dist, pred


def _entries(graph: WalkGraph, homes: npt.NDArray[np.float64],
             dist: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.int64],
                                                     npt.NDArray[np.float64]]:
    """The node each home's walk enters the tree by, and the home's walk to the center."""
    if homes.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    s = graph.snap(homes)
    u, v = graph.edge_u[s.edge], graph.edge_v[s.edge]
    via_u = s.access + s.along + dist[u]
    via_v = s.access + (graph.edge_length[s.edge] - s.along) + dist[v]
    # A home at the end u of its edge ties when u's own walk runs along the edge through
    # v; it starts at u, so u (within a micrometre, rounding aside) is where it enters.
    entry = np.where(via_u <= via_v + 1e-6, u, v).astype(np.int64)
    return entry, np.minimum(via_u, via_v)


def _candidates(graph: WalkGraph, main: npt.NDArray[np.bool_], dist: npt.NDArray[np.float64],
                reach_m: float, min_from_center_m: float) -> npt.NDArray[np.bool_]:
    """Intersections on a main road within reach and not at the door."""
    n = graph.n_nodes
    on_main = np.zeros(n, dtype=bool)
    on_main[graph.edge_u[main]] = True
    on_main[graph.edge_v[main]] = True
    degree = np.diff(graph.matrix.indptr)
    d = dist[:n]
    return np.asarray(on_main & (degree >= 3) & (d <= reach_m) & (d >= min_from_center_m),
                      dtype=bool)


def _choose(graph: WalkGraph, score: npt.NDArray[np.float64], dist: npt.NDArray[np.float64],
            pred: npt.NDArray[np.int64], main: npt.NDArray[np.bool_],
            center: tuple[float, float], rules: SignRules,
            kept_xy: npt.NDArray[np.float64]) -> list[SignSite]:
    n = graph.n_nodes
    cands = np.flatnonzero(score > 0)
    order = cands[np.lexsort((cands, dist[cands], -score[cands]))]
    xy = graph.project(graph.lonlat[order]) if order.size else np.zeros((0, 2))
    placed = [tuple(p) for p in kept_xy]
    sites: list[SignSite] = []
    for k, x in enumerate(order):
        if len(placed) >= rules.max_signs:
            break
        if any(np.hypot(xy[k][0] - p[0], xy[k][1] - p[1]) < rules.min_spacing_m
               for p in placed):
            continue
        placed.append(tuple(xy[k]))
        lon, lat = (float(c) for c in graph.lonlat[x])
        nxt = int(pred[x])
        to = center if nxt >= n or nxt < 0 else tuple(graph.lonlat[nxt])
        sites.append(SignSite(
            node=int(x), lon=lon, lat=lat, walk_m=float(dist[x]),
            bearing_deg=bearing(lon, lat, center[0], center[1]),
            route_bearing_deg=bearing(lon, lat, float(to[0]), float(to[1])),
            households=float(score[x]), main_edge=_main_edge_at(graph, main, int(x))))
    return sites


def _main_edge_at(graph: WalkGraph, main: npt.NDArray[np.bool_], node: int) -> int:
    """The lowest-indexed main-road edge touching ``node`` (to name the road on the sign)."""
    hits = np.flatnonzero(main & ((graph.edge_u == node) | (graph.edge_v == node)))
    return int(hits[0]) if hits.size else -1
