"""Grid proposals: split a community's block units into contiguous grids (Django-free).

A community (1,500–4,000 households) is cut by its roads, water and compound walls into a
few hundred block units; a grid is a connected set of units holding ``lo``–``hi``
households. Every unit boundary lies on a road or wall, so every grid boundary does too.

Formulation (per connected part of the unit graph, with ``k`` grids; CP-SAT):

    x[i, d] ∈ {0, 1}           unit i in grid d;       Σ_d x[i, d] = 1
    lo ≤ Σ_i h_i x[i, d] ≤ hi                          households of grid d
    r[i, d] ≤ x[i, d],  Σ_i r[i, d] = 1                grid d's root unit
    0 ≤ f[i→j, d] ≤ (n−1)·x[i, d],  ≤ (n−1)·x[j, d]    flow along unit adjacencies
    Σ_j f[j→i, d] − Σ_j f[i→j, d] ≥ x[i, d] − n·r[i, d]
                                                       every member is fed from the root:
                                                       the grid is connected
    c_e ≥ x[i, d] − x[j, d]  for e = (i, j), all d     edge e is cut
    minimise  Σ_e L_e c_e + λ·(max_d H_d − min_d H_d)  boundary length (compactness,
                                                       fewest metres of boundary) and
                                                       balance of households

with x[i, d] = 0 for d > i (grids are numbered by their first unit: no symmetric copies).
``k`` is the count nearest ``H / target`` in [⌈H / hi⌉, ⌊H / lo⌋]. A part with no
households (a park cut off by a river) is no grid's business here: it is returned in
``detached`` for the caller to attach to its nearest grid.
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

from .text import Text

LAMBDA = 1  # metres of boundary worth one household of spread between grids


class Infeasible(ValueError):
    """No plan can satisfy the bounds; ``message`` says why, with the numbers."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message.msgid)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Proposal:
    """Grid index per unit, and how good and how proven the plan is.

    ``status`` is ``optimal`` (proved), ``feasible`` (time ran out: ``gap`` is the
    relative distance to CP-SAT's bound) or ``heuristic`` (past the size limit: no bound).
    """

    assignment: list[int]
    households: list[float]
    cut_length: float
    spread: float
    status: str
    gap: float | None
    seconds: float
    detached: list[int] = field(default_factory=list)

    @property
    def k(self) -> int:
        """Number of grids."""
        return len(self.households)


class GridDistricting:
    """Contiguous, household-bounded grids from block units and their shared boundaries.

    Parameters
    ----------
    households : (n,) households per unit.
    shared : (n, n) symmetric sparse matrix of shared boundary length (metres) between
        units; a nonzero entry makes two units neighbours.
    lo, hi : households allowed per grid.
    labels : names of the units for messages (default: their indices).
    """

    def __init__(self, households: Sequence[float], shared: sparse.spmatrix | np.ndarray,
                 lo: float, hi: float, labels: Sequence[str] | None = None) -> None:
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

    # -- feasibility ---------------------------------------------------------------------
    def parts(self) -> list[list[int]]:
        """The connected parts of the unit graph, each a sorted list of units."""
        n = len(self.h)
        graph = sparse.coo_matrix((np.ones(len(self.shared.data)),
                                   (self.shared.row, self.shared.col)), shape=(n, n))
        count, label = connected_components(graph, directed=False)
        return [sorted(np.flatnonzero(label == c).tolist()) for c in range(count)]

    def grid_counts(self, target: float | None = None) -> list[int]:
        """Grids per part (0 for a part without households); Infeasible says why not."""
        goal = (self.lo + self.hi) / 2 if target is None else float(target)
        big = np.flatnonzero(self.h > self.hi)
        if len(big):
            i = int(big[0])
            raise Infeasible("unit_too_big", Text(
                "单元 %(unit)s 独自有 %(n)s 户，超过每个网格的上限 %(hi)s 户：请先拆分它",
                unit=self.labels[i], n=_num(self.h[i]), hi=_num(self.hi)))
        out = []
        for part in self.parts():
            total = float(self.h[part].sum())
            if total == 0:
                out.append(0)
                continue
            kmin, kmax = math.ceil(total / self.hi - 1e-9), math.floor(total / self.lo + 1e-9)
            if kmin > kmax:
                raise Infeasible("part_out_of_range", Text(
                    "%(units)s 个相连单元（含 %(first)s）共 %(n)s 户，无法分成每格 %(lo)s–%(hi)s "
                    "户的网格", units=len(part), first=self.labels[part[0]], n=_num(total),
                    lo=_num(self.lo), hi=_num(self.hi)))
            out.append(min(max(round(total / goal), kmin), kmax))
        return out

    # -- solving -------------------------------------------------------------------------
    def solve(self, target: float | None = None, time_limit: float = 2.0,
              max_units: int = 400, seed: int = 0) -> Proposal:
        """The best plan found within ``time_limit`` seconds per part.

        Raises
        ------
        Infeasible
            With the reason: a unit or a part out of range, or (proved by the solver) no
            connected plan exists with the bounds.
        """
        t0 = time.perf_counter()
        counts = self.grid_counts(target)
        assignment = [-1] * len(self.h)
        detached: list[int] = []
        statuses, gaps, offset = [], [], 0
        for part, k in zip(self.parts(), counts, strict=True):
            if k == 0:
                detached.extend(part)
                continue
            local, status, gap = self._solve_part(part, k, time_limit, max_units, seed)
            for u, d in zip(part, local, strict=True):
                assignment[u] = offset + d
            offset += k
            statuses.append(status)
            gaps.append(gap)
        households = [float(self.h[[u for u in range(len(self.h)) if assignment[u] == d]].sum())
                      for d in range(offset)]
        status = ("heuristic" if "heuristic" in statuses else
                  "feasible" if "feasible" in statuses else "optimal")
        known = [g for g in gaps if g is not None]
        return Proposal(assignment, households, self.cut_length(assignment),
                        max(households) - min(households) if households else 0.0, status,
                        max(known) if known and status != "heuristic" else
                        (None if status == "heuristic" else 0.0),
                        time.perf_counter() - t0, detached)

    def cut_length(self, assignment: Sequence[int]) -> float:
        """Metres of shared boundary between units of different grids."""
        a = np.asarray(assignment)
        cut = a[self.shared.row] != a[self.shared.col]
        return float(self.shared.data[cut].sum())

    def _solve_part(self, part: list[int], k: int, time_limit: float, max_units: int,
                    seed: int) -> tuple[list[int], str, float | None]:
        if k == 1:
            return [0] * len(part), "optimal", 0.0
        hint = self._grow(part, k)
        if len(part) > max_units:
            if hint is None or not self._in_range(part, hint, k):
                raise Infeasible("too_large", Text(
                    "%(units)s 个单元超过精确求解的规模 %(max)s，启发式也未找到户数合规的方案",
                    units=len(part), max=max_units))
            return hint, "heuristic", None
        return self._cp_sat(part, k, hint, time_limit, seed)

    def _cp_sat(self, part: list[int], k: int, hint: list[int] | None, time_limit: float,
                seed: int) -> tuple[list[int], str, float | None]:
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
        size = [m.new_int_var(math.ceil(self.lo), math.floor(self.hi), f"H{d}") for d in range(k)]
        for d in range(k):
            m.add(size[d] == sum(h[i] * x[i][d] for i in range(d, n)))
        arcs = [(a, b) for a, b, _ in edges] + [(b, a) for a, b, _ in edges]
        for d in range(k):
            _connected(m, [row[d] for row in x], arcs, d)
        cut = []
        for a, b, w in edges:
            c = m.new_bool_var(f"c{a}_{b}")
            for d in range(k):
                m.add(c >= x[a][d] - x[b][d])
            cut.append((w, c))
        top = m.new_int_var(0, int(sum(h)), "top")
        bottom = m.new_int_var(0, int(sum(h)), "bottom")
        m.add_max_equality(top, size)
        m.add_min_equality(bottom, size)
        m.minimize(sum(w * c for w, c in cut) + LAMBDA * (top - bottom))
        if hint is not None:
            for i in range(n):
                for d in range(min(i, k - 1) + 1):
                    m.add_hint(x[i][d], hint[i] == d)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            raise Infeasible("no_connected_plan", Text(
                "含 %(first)s 的 %(units)s 个相连单元不存在每格 %(lo)s–%(hi)s 户且连通的 "
                "%(k)s 格方案（已证明）", first=self.labels[part[0]], units=n,
                lo=_num(self.lo), hi=_num(self.hi), k=k))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise Infeasible("no_plan_in_time", Text(
                "%(seconds)s 秒内未找到含 %(first)s 的单元的方案：请放宽户数范围或延长时限",
                seconds=_num(time_limit), first=self.labels[part[0]]))
        out = [next(d for d in range(k) if solver.value(x[i][d])) for i in range(n)]
        value, bound = solver.objective_value, solver.best_objective_bound
        if status == cp_model.OPTIMAL:
            return out, "optimal", 0.0
        return out, "feasible", (value - bound) / value if value else 0.0

    def _in_range(self, part: list[int], local: list[int], k: int) -> bool:
        sums = [sum(self.h[u] for u, d in zip(part, local, strict=True) if d == g)
                for g in range(k)]
        return all(self.lo <= s <= self.hi for s in sums)

    def _grow(self, part: list[int], k: int) -> list[int] | None:
        """A start: grow grids from the lowest free unit by longest shared boundary.

        Each grid takes neighbours until it holds the part's mean; units left at the end
        join their neighbouring grid with the fewest households. Grids are numbered by
        their first unit (the model's symmetry rule). None if it leaves a unit unplaced.
        """
        where = {u: i for i, u in enumerate(part)}
        nbrs: list[dict[int, float]] = [{} for _ in part]
        for a, b, w in zip(self.shared.row, self.shared.col, self.shared.data, strict=True):
            if int(a) in where:
                i, j = where[int(a)], where[int(b)]
                nbrs[i][j] = nbrs[j][i] = nbrs[i].get(j, 0.0) + float(w)
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
        # Renumber by first unit, as the model's symmetry rule wants.
        order: dict[int, int] = {}
        for g in grid:
            order.setdefault(g, len(order))
        return [order[g] for g in grid]


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


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
