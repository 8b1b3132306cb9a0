"""Co-building pairing (结对共建) as a capacitated assignment, solved exactly (Django-free).

Formulation
-----------
Units i (capacity a_i), communities j (cap b_j, minimum m_j), distance d_ij metres.
x_ij ∈ {0, 1} pairs unit i with community j; arcs with d_ij > max distance or no
distance are absent; locked pairings (confirmed/signed) are fixed at x_ij = 1.

    lexicographically: maximise Σ x_ij, then minimise Σ d_ij x_ij
    subject to  Σ_j x_ij ≤ a_i,   m_j ≤ Σ_i x_ij ≤ b_j

This is :func:`geo.analysis.flows.most_flow_least_cost` with units on the left,
communities on the right and arcs of capacity 1; the integral flow from OR-Tools'
network solver is optimal for the integer problem. Distances enter as whole
centimetres; the optimum is exact for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from .errors import PairingInfeasible as PairingInfeasible  # re-exported
from .flows import (
    FlowFailed,
    broadcast_counts,
    check_labels,
    cost_matrix,
    most_flow_least_cost,
    within,
)
from .text import Text

CM = 100.0


class PairingSummary(TypedDict):
    """Totals of a pairing and the rules it breaks (always 0 for the optimal solver)."""

    status: str
    pairings: int
    total_m: float
    mean_m: float
    max_m: float
    communities_over_cap: int
    pairings_over_cap: int
    communities_under_min: int
    communities_without_unit: int


@dataclass(frozen=True)
class PairingResult:
    """Pairs (unit, community, metres), whether each is locked, and the solver's status."""

    pairs: list[tuple[int, int, float]]
    locked: list[bool]
    status: str
    n_units: int
    n_communities: int
    community_cap: npt.NDArray[np.int64]
    community_min: npt.NDArray[np.int64]

    @property
    def per_community(self) -> npt.NDArray[np.int64]:
        """Units paired with each community."""
        counts = np.zeros(self.n_communities, dtype=np.int64)
        for _, j, _ in self.pairs:
            counts[j] += 1
        return counts

    @property
    def distances(self) -> npt.NDArray[np.float64]:
        """Distance of each pair, in metres."""
        return np.array([d for _, _, d in self.pairs], dtype=np.float64)

    def summary(self) -> PairingSummary:
        """Totals and the caps broken (always 0 for the optimal solver)."""
        d = self.distances
        counts = self.per_community
        return {
            "status": self.status,
            "pairings": len(self.pairs),
            "total_m": float(d.sum()),
            "mean_m": float(d.mean()) if d.size else 0.0,
            "max_m": float(d.max()) if d.size else 0.0,
            "communities_over_cap": int((counts > self.community_cap).sum()),
            "pairings_over_cap": int(np.maximum(counts - self.community_cap, 0).sum()),
            "communities_under_min": int((counts < self.community_min).sum()),
            "communities_without_unit": int((counts == 0).sum()),
        }


@dataclass(frozen=True)
class PairingProblem:
    """A pairing instance over plain arrays; build with :meth:`from_cost_matrix`."""

    cost: npt.NDArray[np.float64]
    unit_capacity: npt.NDArray[np.int64]
    community_cap: npt.NDArray[np.int64]
    community_min: npt.NDArray[np.int64]
    max_distance: float | None
    locked: tuple[tuple[int, int], ...] = field(default=())
    unit_labels: tuple[str, ...] = field(default=())
    community_labels: tuple[str, ...] = field(default=())

    def unit_label(self, i: int) -> str | Text:
        """Label of unit ``i`` for messages."""
        return self.unit_labels[i] if self.unit_labels else Text("单位 %(i)s", i=i)

    def community_label(self, j: int) -> str | Text:
        """Label of community ``j`` for messages."""
        return self.community_labels[j] if self.community_labels else Text("社区 %(j)s", j=j)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        unit_capacity: int | Sequence[int] | npt.ArrayLike = 1,
        community_cap: int | Sequence[int] | npt.ArrayLike = 5,
        community_min: int | Sequence[int] | npt.ArrayLike = 0,
        max_distance: float | None = None,
        locked: Iterable[tuple[int, int]] = (),
        unit_labels: Sequence[str] = (),
        community_labels: Sequence[str] = (),
    ) -> PairingProblem:
        """Validate and freeze an instance.

        Parameters
        ----------
        cost : (U, C) metres from unit i to community j; inf or nan where not allowed
        unit_capacity : communities each unit can pair with (scalar or (U,))
        community_cap, community_min : units per community, upper and lower (scalar or (C,))
        max_distance : metres; longer pairs are not allowed
        locked : (unit, community) pairs kept as they are
        unit_labels, community_labels : names for the messages (indices otherwise)
        """
        c = cost_matrix(cost, "units", "communities")
        n_u, n_c = c.shape
        cap_u = broadcast_counts(unit_capacity, n_u, "unit_capacity")
        cap_c = broadcast_counts(community_cap, n_c, "community_cap")
        min_c = broadcast_counts(community_min, n_c, "community_min")
        if (min_c > cap_c).any():
            j = int(np.argmax(min_c > cap_c))
            raise ValueError(f"community {j}: minimum {min_c[j]} exceeds its cap {cap_c[j]}")
        lock = tuple(sorted({(int(i), int(j)) for i, j in locked}))
        for i, j in lock:
            if not (0 <= i < n_u and 0 <= j < n_c):
                raise ValueError(f"locked pair ({i}, {j}) is outside the matrix")
        if max_distance is not None and max_distance < 0:
            raise ValueError("max_distance must not be negative")
        check_labels((unit_labels, n_u, "unit"), (community_labels, n_c, "community"))
        return cls(cost=c, unit_capacity=cap_u, community_cap=cap_c, community_min=min_c,
                   max_distance=max_distance, locked=lock, unit_labels=tuple(unit_labels),
                   community_labels=tuple(community_labels))

    @property
    def shape(self) -> tuple[int, int]:
        """(units, communities)."""
        return (int(self.cost.shape[0]), int(self.cost.shape[1]))

    def allowed(self) -> npt.NDArray[np.bool_]:
        """(U, C) mask of pairs the solver may choose (locked pairs excluded: fixed)."""
        ok = within(self.cost, self.max_distance)
        for i, j in self.locked:
            ok[i, j] = False
        return ok

    def residual(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                npt.NDArray[np.int64]]:
        """Unit capacity, community cap and minimum left after the locked pairs."""
        n_u, n_c = self.shape
        lu = np.zeros(n_u, dtype=np.int64)
        lc = np.zeros(n_c, dtype=np.int64)
        for i, j in self.locked:
            lu[i] += 1
            lc[j] += 1
        return (self.unit_capacity - lu, self.community_cap - lc,
                np.maximum(self.community_min - lc, 0))

    def infeasibility(self) -> list[Text]:
        """Reasons, with numbers, why no pairing meets every constraint; [] if one does."""
        cap_u, cap_c, min_c = self.residual()
        reasons: list[Text] = []
        for i in np.nonzero(cap_u < 0)[0]:
            reasons.append(Text("%(unit)s 已锁定 %(locked)s 个结对，超过其容量 %(capacity)s",
                                unit=self.unit_label(int(i)),
                                locked=int(self.unit_capacity[i] - cap_u[i]),
                                capacity=int(self.unit_capacity[i])))
        for j in np.nonzero(cap_c < 0)[0]:
            reasons.append(Text("%(community)s 已锁定 %(locked)s 个结对，超过其上限 %(cap)s",
                                community=self.community_label(int(j)),
                                locked=int(self.community_cap[j] - cap_c[j]),
                                cap=int(self.community_cap[j])))
        if reasons:
            return reasons
        need = int(min_c.sum())
        have = int(cap_u.sum())
        if need > have:
            reasons.append(Text("各社区的最低结对数还需 %(need)s 对，"
                                "但各单位只能再提供 %(have)s 对", need=need, have=have))
        ok = self.allowed() & (cap_u[:, None] > 0)
        reach = ok.sum(axis=0)
        for j in np.nonzero(reach < min_c)[0]:
            values = {"community": self.community_label(int(j)), "need": int(min_c[j]),
                      "have": int(reach[j])}
            reasons.append(
                Text("%(community)s 还需 %(need)s 个单位，但只有 %(have)s 个可用", **values)
                if self.max_distance is None else
                Text("%(community)s 还需 %(need)s 个单位，但 %(m).0f 米内只有 %(have)s 个可用",
                     m=self.max_distance, **values))
        if not reasons and need:
            met = _max_mandatory_flow(ok, cap_u, min_c)
            if met < need:
                reasons.append(Text("最低结对数 %(need)s 对中同时最多只能满足 %(met)s 对："
                                    "相邻社区争用同一批单位", need=need, met=met))
        return reasons

    def auto_minimum(self) -> int:
        """The largest even minimum every community can get: ≤ total capacity / communities."""
        _n_u, n_c = self.shape
        if n_c == 0:
            return 0
        upper = int(min(self.unit_capacity.sum() // n_c, self.community_cap.min()))
        for m in range(upper, 0, -1):
            trial = PairingProblem.from_cost_matrix(
                self.cost, self.unit_capacity, self.community_cap,
                np.maximum(self.community_min, np.minimum(m, self.community_cap)),
                self.max_distance, self.locked)
            if not trial.infeasibility():
                return m
        return 0

    def solve(self) -> PairingResult:
        """The provably optimal pairing (see the module docstring); raises if infeasible."""
        reasons = self.infeasibility()
        if reasons:
            raise PairingInfeasible(reasons)
        cap_u, cap_c, min_c = self.residual()
        ok = self.allowed() & (cap_u[:, None] > 0)
        ui, cj = np.nonzero(ok)
        cents = np.rint(self.cost[ui, cj] * CM).astype(np.int64)
        try:
            flows = most_flow_least_cost(cap_u, cap_c, min_c, ui.astype(np.int64),
                                         cj.astype(np.int64), np.ones(ui.size, dtype=np.int64),
                                         cents)
        except FlowFailed as exc:
            raise PairingInfeasible([Text("求解器未找到方案（状态 %(status)s）",
                                          status=str(exc))]) from exc
        chosen = np.nonzero(flows > 0)[0]
        pairs = [(i, j, float(self.cost[i, j])) for i, j in self.locked]
        pairs += [(int(ui[k]), int(cj[k]), float(self.cost[ui[k], cj[k]])) for k in chosen]
        return self._result(pairs, "optimal")

    def greedy(self) -> PairingResult:
        """Baseline: each unit takes its nearest communities up to its capacity, ignoring caps."""
        cap_u, _, _ = self.residual()
        ok = self.allowed()
        pairs = [(i, j, float(self.cost[i, j])) for i, j in self.locked]
        for i in range(self.shape[0]):
            if cap_u[i] <= 0:
                continue
            cand = np.nonzero(ok[i])[0]
            best = cand[np.argsort(self.cost[i, cand], kind="stable")][: cap_u[i]]
            pairs += [(i, int(j), float(self.cost[i, j])) for j in best]
        return self._result(pairs, "greedy")

    def _result(self, pairs: list[tuple[int, int, float]], status: str) -> PairingResult:
        locked = set(self.locked)
        return PairingResult(pairs=pairs, locked=[(i, j) in locked for i, j, _ in pairs],
                             status=status, n_units=self.shape[0], n_communities=self.shape[1],
                             community_cap=self.community_cap, community_min=self.community_min)


def _max_mandatory_flow(ok: npt.NDArray[np.bool_], cap_u: npt.NDArray[np.int64],
                        min_c: npt.NDArray[np.int64]) -> int:
    """How many of the community minimums can be met at once (a max flow)."""
    n_u, n_c = ok.shape
    ui, cj = np.nonzero(ok)
    s, t = n_u + n_c, n_u + n_c + 1
    from ortools.graph.python import max_flow

    mf = max_flow.SimpleMaxFlow()
    tails = np.concatenate([np.full(n_u, s), ui, n_u + np.arange(n_c)]).astype(np.int64)
    heads = np.concatenate([np.arange(n_u), n_u + cj, np.full(n_c, t)]).astype(np.int64)
    caps = np.concatenate([cap_u, np.ones(ui.size, dtype=np.int64), min_c]).astype(np.int64)
    mf.add_arcs_with_capacity(tails, heads, caps)
    mf.solve(s, t)
    return int(mf.optimal_flow())
