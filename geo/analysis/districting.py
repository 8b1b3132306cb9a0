"""Grid proposals: split a community's block units into contiguous grids (Django-free).

A community (1,500–4,000 households) is cut by its roads, water and compound walls into
block units; a grid is a connected set of units, meant to hold ``lo``–``hi`` households.
Every unit boundary lies on a road or wall, so every grid boundary does too.

Formulation (per connected part of the unit graph, with ``k`` grids; CP-SAT):

    x[i, d] ∈ {0, 1}           unit i in grid d;       Σ_d x[i, d] = 1
    H_d = Σ_i h_i x[i, d]                              households of grid d
    u_d ≥ lo − H_d,  o_d ≥ H_d − hi,  u_d, o_d ≥ 0     households outside the range
    r[i, d] ≤ x[i, d],  Σ_i r[i, d] = 1                grid d's root unit
    0 ≤ f[i→j, d] ≤ (n−1)·x[i, d],  ≤ (n−1)·x[j, d]    flow along unit adjacencies
    Σ_j f[j→i, d] − Σ_j f[i→j, d] ≥ x[i, d] − n·r[i, d]
                                                       every member is fed from the root:
                                                       the grid is connected (hard)
    c_e ≥ x[i, d] − x[j, d]  for e = (i, j), all d     edge e is cut
    b ≥ max_d H_d − 2·min_d H_d,  b ≥ 0                 households by which the largest
                                                       grid exceeds twice the smallest
    minimise  BIG·Σ_d (u_d + o_d) + RATIO·b + Σ_e L_e c_e + λ·(max_d H_d − min_d H_d)

with x[i, d] = 0 for d > i (grids are numbered by their first unit: no symmetric copies).
The range is a penalty, not a constraint, so the planner always gets the best plan; when
it leaves households outside the range the proposal says why, proved when the solver
proved it optimal for every count the part allows. Balance comes next: a plan whose
largest grid holds more than twice the smallest (the planners' max/min ≤ 2) pays
``RATIO`` per household of the excess, ahead of any boundary length. Counts are tried
nearest to ``H / target`` first; the first with every grid in range and the ratio kept
wins. A part without households
(a park cut off by a river) is returned in ``detached`` for the caller to attach.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .partition import PartitionError, balanced_segments
from .text import Text

BIG = 1000      # metres of boundary worth one household outside the range
RATIO = 100     # metres of boundary worth one household past max = 2 × min
MAX_RATIO = 2   # the largest grid holds at most this many times the smallest
LAMBDA = 1      # metres of boundary worth one household of spread between grids
MAX_COUNTS = 3  # grid counts tried per part


@dataclass(frozen=True)
class PartPlan:
    """One part with ``k`` grids: grid per unit, objective, households out of range."""

    local: list[int]
    k: int
    value: float
    outside: float
    status: str
    gap: float | None
    unbalanced: float = 0.0


@dataclass(frozen=True)
class Proposal:
    """Grid index per unit (-1: detached), how good it is and how it was proven.

    ``status`` is ``optimal`` (proved for the counts tried), ``feasible`` (time ran out:
    ``gap`` is the relative distance to CP-SAT's bound) or ``heuristic`` (past the size
    limit: no bound). ``reasons`` say why households are left outside the range, if any.
    """

    assignment: list[int]
    households: list[float]
    cut_length: float
    spread: float
    outside: float
    status: str
    gap: float | None
    seconds: float
    detached: list[int] = field(default_factory=list)
    reasons: list[Text] = field(default_factory=list)

    @property
    def unbalanced(self) -> float:
        """Households by which the largest grid exceeds ``MAX_RATIO`` × the smallest."""
        return _unbalanced(self.households)

    @property
    def k(self) -> int:
        """Number of grids."""
        return len(self.households)


class GridDistricting:
    """Contiguous grids of about ``lo``–``hi`` households from block units.

    Parameters
    ----------
    households : (n,) households per unit.
    shared : (n, n) symmetric sparse matrix of shared boundary length (metres) between
        units; a nonzero entry makes two units neighbours.
    lo, hi : households a grid should hold.
    labels : names of the units for messages (default: their indices).
    """

    def __init__(self, households: Sequence[float] | np.ndarray,
                 shared: sparse.spmatrix | np.ndarray, lo: float, hi: float,
                 labels: Sequence[str] | None = None) -> None:
        self.h = np.asarray(households, dtype=float)
        n = len(self.h)
        mat = sparse.csr_matrix(shared, dtype=float)
        if mat.shape != (n, n):
            raise ValueError(f"shared lengths are {mat.shape}, expected ({n}, {n})")
        if (self.h < 0).any():
            raise ValueError("households must not be negative")
        if lo > hi or lo <= 0:
            raise ValueError(f"household range [{lo}, {hi}] is empty or not positive")
        self.shared = sparse.triu(mat.maximum(mat.T), k=1).tocoo()
        self.lo, self.hi = float(lo), float(hi)
        self.labels = list(labels) if labels is not None else [str(i) for i in range(n)]

    @classmethod
    def from_adjacency_matrix(cls, households: Sequence[float], shared: np.ndarray,
                              lo: float, hi: float) -> GridDistricting:
        """The solver of a dense shared-length matrix (the plain-matrix constructor)."""
        return cls(households, sparse.csr_matrix(shared), lo, hi)

    # -- what the data allows ------------------------------------------------------------
    def parts(self) -> list[list[int]]:
        """The connected parts of the unit graph, each a sorted list of units."""
        n = len(self.h)
        graph = sparse.coo_matrix((np.ones(len(self.shared.data)),
                                   (self.shared.row, self.shared.col)), shape=(n, n))
        count, label = connected_components(graph, directed=False)
        return [sorted(np.flatnonzero(label == c).tolist()) for c in range(count)]

    def count_range(self, part: list[int]) -> tuple[int, int]:
        """The fewest and most grids ``part``'s households allow (kmin > kmax: none)."""
        total = float(self.h[part].sum())
        return max(1, math.ceil(total / self.hi - 1e-9)), math.floor(total / self.lo + 1e-9)

    def obstacles(self) -> list[Text]:
        """What makes some grid fall outside the range whatever the plan, with numbers."""
        out = [Text("单元 %(unit)s 独自有 %(n)s 户，超过每个网格的上限 %(hi)s 户",
                    unit=self.labels[i], n=_num(self.h[i]), hi=_num(self.hi))
               for i in np.flatnonzero(self.h > self.hi).tolist()]
        for part in self.parts():
            total = float(self.h[part].sum())
            kmin, kmax = self.count_range(part)
            if total > 0 and kmin > kmax:
                out.append(Text(
                    "%(units)s 个相连单元（含 %(first)s）共 %(n)s 户，无法分成每格 %(lo)s–%(hi)s 户"
                    "的网格", units=len(part), first=self.labels[part[0]], n=_num(total),
                    lo=_num(self.lo), hi=_num(self.hi)))
        return out

    # -- solving -------------------------------------------------------------------------
    def solve(self, target: float | None = None, time_limit: float = 1.0,
              max_units: int = 400, seed: int = 0,
              start: Sequence[int] | None = None, balance: bool = True) -> Proposal:
        """The best plan found, ``time_limit`` seconds per part and count tried.

        ``start`` (a grid label per unit) is a plan to start from where its grids are
        connected and their count is the one tried, e.g. the plan of coarser units.
        Without ``balance`` the first count keeping every grid in range is taken even
        when another count might balance the grids better.
        """
        t0 = time.perf_counter()
        goal = (self.lo + self.hi) / 2 if target is None else float(target)
        assignment = [-1] * len(self.h)
        detached: list[int] = []
        plans: list[tuple[list[int], PartPlan, str]] = []
        offset = 0
        for part in self.parts():
            if float(self.h[part].sum()) == 0:
                detached.extend(part)
                continue
            plan, proof = self._best_count(part, goal, time_limit, max_units, seed,
                                           None if start is None else [start[u] for u in part],
                                           balance)
            for u, d in zip(part, plan.local, strict=True):
                assignment[u] = offset + d
            offset += plan.k
            plans.append((part, plan, proof))
        households = [float(self.h[[u for u in range(len(self.h)) if assignment[u] == d]]
                            .sum()) for d in range(offset)]
        statuses = {p.status for _, p, _ in plans}
        status = ("heuristic" if "heuristic" in statuses else
                  "feasible" if "feasible" in statuses else "optimal")
        gaps = [p.gap for _, p, _ in plans if p.gap is not None]
        outside = sum(p.outside for _, p, _ in plans)
        reasons = self.obstacles() if outside else []
        for part, p, proof in plans:
            if not p.outside:
                continue
            values = {"first": self.labels[part[0]], "units": len(part), "lo": _num(self.lo),
                      "hi": _num(self.hi), "n": _num(p.outside), "k": p.k}
            reasons.append(Text(
                "已证明：含 %(first)s 的 %(units)s 个相连单元无论分几格，都有网格超出 "
                "%(lo)s–%(hi)s 户；此方案共 %(n)s 户在范围外，为最少", **values)
                if proof == "all" else Text(
                "含 %(first)s 的 %(units)s 个相连单元：在试过的格数中，%(k)s 格的最优方案仍有 "
                "%(n)s 户在 %(lo)s–%(hi)s 户之外（其他格数未试）", **values)
                if proof == "tried" else Text(
                "含 %(first)s 的单元在时限内未找到每格都在 %(lo)s–%(hi)s 户的方案；"
                "此方案共 %(n)s 户在范围外", **values))
        if _unbalanced(households) > 0:
            values = {"top": _num(max(households)), "bottom": _num(min(households)),
                      "ratio": _num(MAX_RATIO)}
            reasons.append(Text(
                "在试过的格数中已证明：由这些单元组成的网格，最大网格（%(top)s 户）无法不超过"
                "最小网格（%(bottom)s 户）的 %(ratio)s 倍", **values)
                if status == "optimal" and len(plans) == 1 else Text(
                "未找到最大网格不超过最小网格 %(ratio)s 倍的方案：最大 %(top)s 户，"
                "最小 %(bottom)s 户", **values))
        return Proposal(assignment, households, self.cut_length(assignment),
                        max(households) - min(households) if households else 0.0, outside,
                        status, None if status == "heuristic" else max(gaps, default=0.0),
                        time.perf_counter() - t0, detached, reasons)

    def cut_length(self, assignment: Sequence[int]) -> float:
        """Metres of shared boundary between units of different grids."""
        a = np.asarray(assignment)
        cut = a[self.shared.row] != a[self.shared.col]
        return float(self.shared.data[cut].sum())

    def objective(self, part: list[int], local: Sequence[int], k: int) -> tuple[float, float]:
        """(objective, households outside the range) of a plan of ``part``."""
        sums = self._sums(part, local, k)
        outside = sum(max(0.0, self.lo - s) + max(0.0, s - self.hi) for s in sums)
        where = dict(zip(part, local, strict=True))
        cut = sum(float(w) for a, b, w in zip(self.shared.row, self.shared.col,
                                              self.shared.data, strict=True)
                  if int(a) in where and where[int(a)] != where[int(b)])
        return (BIG * outside + RATIO * _unbalanced(sums) + cut
                + LAMBDA * (max(sums) - min(sums)), outside)

    def _sums(self, part: list[int], local: Sequence[int], k: int) -> list[float]:
        return [float(sum(self.h[u] for u, d in zip(part, local, strict=True) if d == g))
                for g in range(k)]

    def _plan(self, part: list[int], local: list[int], k: int, status: str,
              gap: float | None) -> PartPlan:
        value, outside = self.objective(part, local, k)
        return PartPlan(local, k, value, outside, status, gap,
                        _unbalanced(self._sums(part, local, k)))

    def solve_count(self, part: list[int], k: int, time_limit: float = 1.0,
                    max_units: int = 400, seed: int = 0,
                    start: list[int] | None = None) -> PartPlan:
        """The best plan of ``part`` with exactly ``k`` connected grids."""
        if k == 1:
            return self._plan(part, [0] * len(part), 1, "optimal", 0.0)
        given = _first_unit_order(start) if start is not None else None
        if given is not None and not _runs_connected(given, self._neighbours(part)):
            given = None
        starts = [s for s in (given, self._segments(part, k), self._grow(part, k))
                  if s is not None and len(set(s)) == k]
        hint = min(starts, key=lambda s: self.objective(part, s, k)[0], default=None)
        if len(part) > max_units and hint is not None:
            return self._plan(part, hint, k, "heuristic", None)
        return self._cp_sat(part, k, hint, time_limit, seed)

    def _best_count(self, part: list[int], goal: float, time_limit: float, max_units: int,
                    seed: int, start: list[int] | None = None,
                    balance: bool = True) -> tuple[PartPlan, str]:
        """The plan with the count nearest ``H / goal`` that keeps every grid in range.

        Returns it and how far "no plan keeps every grid in range" is proved: ``all``
        (every count the part allows solved to optimality), ``tried`` (the counts tried,
        not all), or ``none`` (time ran out somewhere).
        """
        kmin, kmax = self.count_range(part)
        total = float(self.h[part].sum())
        want = max(1, round(total / goal))
        allowed = range(kmin, kmax + 1) if kmin <= kmax else range(want, want + 1)
        counts = sorted(allowed, key=lambda c: (abs(c - want), c))
        best: PartPlan | None = None
        exact = True
        for count in counts[:MAX_COUNTS]:
            if count > len(part):
                continue
            plan = self.solve_count(part, count, time_limit, max_units, seed, start)
            exact = exact and plan.status == "optimal"
            if best is None or (plan.outside, plan.value) < (best.outside, best.value):
                best = plan
            if plan.outside == 0 and (plan.unbalanced == 0 or not balance):
                return plan, "none"
        if best is None:  # more grids wanted than units: one grid per unit at most
            best = self.solve_count(part, min(counts[0], len(part)), time_limit, max_units,
                                    seed)
            exact = False
        every = kmin <= kmax and len(counts) <= MAX_COUNTS
        return best, ("all" if exact and every else "tried" if exact else "none")

    def _cp_sat(self, part: list[int], k: int, hint: list[int] | None, time_limit: float,
                seed: int) -> PartPlan:
        from ortools.sat.python import cp_model

        n = len(part)
        where = {u: i for i, u in enumerate(part)}
        h = [round(float(self.h[u])) for u in part]
        edges = [(where[int(a)], where[int(b)], round(float(w)))
                 for a, b, w in zip(self.shared.row, self.shared.col, self.shared.data,
                                    strict=True) if int(a) in where]
        m = cp_model.CpModel()
        x = [[m.new_bool_var(f"x{i}_{d}") if d <= i else m.new_constant(0) for d in range(k)]
             for i in range(n)]
        for i in range(n):
            m.add_exactly_one(x[i])
        total = sum(h)
        size = [m.new_int_var(0, total, f"H{d}") for d in range(k)]
        # Households short of the floor can exceed the total (all cells empty, floor 150).
        out = [m.new_int_var(0, max(total, math.ceil(self.lo)), f"out{d}") for d in range(k)]
        for d in range(k):
            m.add(size[d] == sum(h[i] * x[i][d] for i in range(d, n)))
            m.add(out[d] >= math.ceil(self.lo) - size[d])
            m.add(out[d] >= size[d] - math.floor(self.hi))
        arcs = [(a, b) for a, b, _ in edges] + [(b, a) for a, b, _ in edges]
        for d in range(k):
            _connected(m, [row[d] for row in x], arcs, d)
        cut = []
        for a, b, w in edges:
            c = m.new_bool_var(f"c{a}_{b}")
            for d in range(k):
                m.add(c >= x[a][d] - x[b][d])
            cut.append((w, c))
        top = m.new_int_var(0, total, "top")
        bottom = m.new_int_var(0, total, "bottom")
        m.add_max_equality(top, size)
        m.add_min_equality(bottom, size)
        excess = m.new_int_var(0, total, "excess")
        m.add(excess >= top - MAX_RATIO * bottom)
        m.minimize(BIG * sum(out) + RATIO * excess + sum(w * c for w, c in cut)
                   + LAMBDA * (top - bottom))
        if hint is not None:
            for i in range(n):
                for d in range(min(i, k - 1) + 1):
                    m.add_hint(x[i][d], hint[i] == d)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = solver.solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if hint is None:  # no start and no plan in time: the grown plan, unproven
                hint = _grow_any(self, part, k)
            return self._plan(part, hint, k, "heuristic", None)
        local = [next(d for d in range(k) if solver.value(x[i][d])) for i in range(n)]
        if status == cp_model.OPTIMAL:
            return self._plan(part, local, k, "optimal", 0.0)
        value, _ = self.objective(part, local, k)
        bound = solver.best_objective_bound
        return self._plan(part, local, k, "feasible",
                          (value - bound) / value if value else 0.0)

    # -- starting plans ------------------------------------------------------------------
    def _neighbours(self, part: list[int]) -> list[dict[int, float]]:
        where = {u: i for i, u in enumerate(part)}
        nbrs: list[dict[int, float]] = [{} for _ in part]
        for a, b, w in zip(self.shared.row, self.shared.col, self.shared.data, strict=True):
            if int(a) in where:
                i, j = where[int(a)], where[int(b)]
                nbrs[i][j] = nbrs[j][i] = nbrs[i].get(j, 0.0) + float(w)
        return nbrs

    def _segments(self, part: list[int], k: int) -> list[int] | None:
        """``k`` runs of consecutive units (units come in a spatial order), if in range."""
        h = [float(self.h[u]) for u in part]
        try:
            runs = balanced_segments(h, self.lo, self.hi, target=sum(h) / k)
        except PartitionError:
            return None
        if len(runs) != k:
            return None
        out = [0] * len(part)
        for d, (a, b) in enumerate(runs):
            out[a:b] = [d] * (b - a)
        return out if _runs_connected(out, self._neighbours(part)) else None

    def _grow(self, part: list[int], k: int) -> list[int] | None:
        """Grow grids from the lowest free unit by longest shared boundary.

        Each grid takes neighbours until it holds the part's mean; units left at the end
        join their neighbouring grid with the fewest households. Grids are numbered by
        their first unit (the model's symmetry rule). None if a unit is left unplaced.
        """
        nbrs = self._neighbours(part)
        h = [float(self.h[u]) for u in part]
        goal = sum(h) / k
        grid = [-1] * len(part)
        for d in range(k):
            free = [i for i in range(len(part)) if grid[i] < 0]
            if not free:
                break
            seed = free[0]
            grid[seed], total = d, h[seed]
            frontier = dict(nbrs[seed])
            while total < goal and frontier:
                best = max((j for j in frontier if grid[j] < 0), default=None,
                           key=lambda j: (frontier[j], -j))
                if best is None or total + h[best] > self.hi:
                    break
                grid[best], total = d, total + h[best]
                frontier.pop(best)
                for j, w in nbrs[best].items():
                    if grid[j] < 0:
                        frontier[j] = frontier.get(j, 0.0) + w
        _attach_leftovers(grid, nbrs, h)
        if any(g < 0 for g in grid):
            return None
        order: dict[int, int] = {}
        return [order.setdefault(g, len(order)) for g in grid]


def _grow_any(solver: GridDistricting, part: list[int], k: int) -> list[int]:
    """Some connected plan: grown, else the whole part as grid 0 (never None)."""
    grown = solver._grow(part, k)
    return grown if grown is not None else [0] * len(part)


def _first_unit_order(labels: Sequence[int]) -> list[int]:
    """``labels`` renumbered 0, 1, … by first unit (the model's symmetry rule)."""
    order: dict[int, int] = {}
    return [order.setdefault(g, len(order)) for g in labels]


def _runs_connected(local: list[int], nbrs: list[dict[int, float]]) -> bool:
    for d in set(local):
        members = [i for i, g in enumerate(local) if g == d]
        seen, stack = {members[0]}, [members[0]]
        while stack:
            i = stack.pop()
            for j in nbrs[i]:
                if local[j] == d and j not in seen:
                    seen.add(j)
                    stack.append(j)
        if len(seen) != len(members):
            return False
    return True


def _attach_leftovers(grid: list[int], nbrs: list[dict[int, float]], h: list[float]) -> None:
    """Give each unplaced unit to its neighbouring grid with the fewest households."""
    queue = deque(i for i in range(len(grid)) if grid[i] < 0)
    stuck = 0
    while queue and stuck <= len(queue):
        i = queue.popleft()
        placed = [grid[j] for j in nbrs[i] if grid[j] >= 0]
        if not placed:
            queue.append(i)
            stuck += 1
            continue
        sums = {g: sum(h[t] for t in range(len(grid)) if grid[t] == g) for g in placed}
        grid[i] = min(placed, key=lambda g: (sums[g], g))
        stuck = 0


def _connected(m: Any, member: list[Any], arcs: list[tuple[int, int]], d: int) -> None:
    """Constrain the units with ``member[i]`` true to be connected (single-commodity flow).

    One root sends a unit of flow to every other member along arcs whose both ends are
    members; units before ``d`` cannot be members (the symmetry rule).
    """
    n = len(member)
    root = [m.new_bool_var(f"r{i}_{d}") if d <= i else m.new_constant(0) for i in range(n)]
    m.add_exactly_one(root)
    for i in range(d, n):
        m.add_implication(root[i], member[i])
    into: list[list[Any]] = [[] for _ in range(n)]
    out_of: list[list[Any]] = [[] for _ in range(n)]
    for a, b in arcs:
        if a < d or b < d:
            continue
        f = m.new_int_var(0, n - 1, f"f{a}_{b}_{d}")
        m.add(f <= (n - 1) * member[a])
        m.add(f <= (n - 1) * member[b])
        out_of[a].append(f)
        into[b].append(f)
    for i in range(d, n):
        m.add(sum(into[i]) - sum(out_of[i]) >= member[i] - n * root[i])


def _unbalanced(sums: Sequence[float]) -> float:
    """Households by which the largest grid exceeds ``MAX_RATIO`` × the smallest."""
    return max(0.0, max(sums) - MAX_RATIO * min(sums)) if sums else 0.0


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
