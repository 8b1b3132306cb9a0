"""Matching communities' needs to co-building units' resources (三张清单), exactly (Django-free).

Formulation
-----------
Resources i (capacity a_i: sessions, places or items they can give in the period), needs
j (demand q_j), walking distance d_ij metres from the resource's unit to the need. A pair
is allowed when the kinds agree, the periods overlap and d_ij ≤ max distance (the adapter
writes inf where it is not). p_ij = 1 when the unit is paired (结对) with the need's
community; paired units are preferred by weighing their distance with a factor f ≤ 1:

    c_ij = d_ij · (f if p_ij else 1)

x_ij ∈ ℤ≥0 is what resource i gives need j:

    lexicographically: maximise Σ x_ij (most of the needs met), then minimise Σ c_ij x_ij
    subject to  Σ_j x_ij ≤ a_i,   Σ_i x_ij ≤ q_j

:func:`geo.analysis.flows.most_flow_least_cost` solves it exactly (a totally unimodular
transport problem; costs in whole centimetres). What is already agreed is not part of the
problem: the caller passes the capacity and demand left after agreed projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from .flows import broadcast_counts, check_labels, cost_matrix, most_flow_least_cost, within
from .text import Text

CM = 100.0
# What a need asks for and a resource gives (geo.models.ListKind holds their names).
LIST_KINDS = ("venue", "education", "health", "legal", "culture", "volunteer", "jobs",
              "goods", "other")


class MatchingSummary(TypedDict):
    """Totals of a matching: how much of the demand it meets and how far people walk."""

    method: str
    needs: int
    demand: int
    met: int
    needs_met: int
    needs_partly_met: int
    needs_unmet: int
    projects: int
    from_paired: int
    mean_m: float
    max_m: float


@dataclass(frozen=True)
class Match:
    """Resource ``resource`` gives ``quantity`` to need ``need``, ``metres`` apart."""

    resource: int
    need: int
    quantity: int
    metres: float
    paired: bool


@dataclass(frozen=True)
class MatchingResult:
    """The matches of one solution and the demand they leave."""

    matches: list[Match]
    method: str
    demand: npt.NDArray[np.int64]

    @property
    def met(self) -> npt.NDArray[np.int64]:
        """How much of each need is met."""
        out = np.zeros(self.demand.size, dtype=np.int64)
        for m in self.matches:
            out[m.need] += m.quantity
        return out

    def summary(self) -> MatchingSummary:
        """Totals; distances are per unit given (a need met three times counts three walks)."""
        met = self.met
        q = np.array([m.quantity for m in self.matches], dtype=np.float64)
        d = np.array([m.metres for m in self.matches], dtype=np.float64)
        wanted = self.demand > 0
        return {
            "method": self.method,
            "needs": int(wanted.sum()),
            "demand": int(self.demand.sum()),
            "met": int(met.sum()),
            "needs_met": int((wanted & (met >= self.demand)).sum()),
            "needs_partly_met": int((wanted & (met > 0) & (met < self.demand)).sum()),
            "needs_unmet": int((wanted & (met == 0)).sum()),
            "projects": len(self.matches),
            "from_paired": int(sum(m.quantity for m in self.matches if m.paired)),
            "mean_m": float((q * d).sum() / q.sum()) if q.sum() else 0.0,
            "max_m": float(d.max()) if d.size else 0.0,
        }


@dataclass(frozen=True)
class MatchingProblem:
    """A needs–resources instance over plain arrays; build with :meth:`from_cost_matrix`."""

    cost: npt.NDArray[np.float64]
    capacity: npt.NDArray[np.int64]
    demand: npt.NDArray[np.int64]
    paired: npt.NDArray[np.bool_]
    paired_factor: float
    max_distance: float | None
    resource_labels: tuple[str, ...] = field(default=())
    need_labels: tuple[str, ...] = field(default=())

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        capacity: int | Sequence[int] | npt.ArrayLike = 1,
        demand: int | Sequence[int] | npt.ArrayLike = 1,
        paired: npt.ArrayLike | None = None,
        paired_factor: float = 0.5,
        max_distance: float | None = None,
        resource_labels: Sequence[str] = (),
        need_labels: Sequence[str] = (),
    ) -> MatchingProblem:
        """Validate and freeze an instance.

        Parameters
        ----------
        cost : (R, N) metres from resource i to need j; inf or nan where not allowed
        capacity : (R,) or scalar, what each resource can still give
        demand : (N,) or scalar, what each need still wants
        paired : (R, N) bool, the resource's unit is paired with the need's community
        paired_factor : in (0, 1], the weight of a paired unit's distance
        max_distance : metres; farther pairs are not allowed
        """
        c = cost_matrix(cost, "resources", "needs")
        n_r, n_n = c.shape
        p = np.zeros((n_r, n_n), dtype=bool) if paired is None else np.asarray(paired, bool)
        if p.shape != c.shape:
            raise ValueError(f"paired must have the shape of cost {c.shape}, got {p.shape}")
        if not 0 < paired_factor <= 1:
            raise ValueError("paired_factor must lie in (0, 1]")
        if max_distance is not None and max_distance < 0:
            raise ValueError("max_distance must not be negative")
        check_labels((resource_labels, n_r, "resource"), (need_labels, n_n, "need"))
        return cls(cost=c, capacity=broadcast_counts(capacity, n_r, "capacity"),
                   demand=broadcast_counts(demand, n_n, "demand"), paired=p,
                   paired_factor=float(paired_factor), max_distance=max_distance,
                   resource_labels=tuple(resource_labels), need_labels=tuple(need_labels))

    @property
    def shape(self) -> tuple[int, int]:
        """(resources, needs)."""
        return (int(self.cost.shape[0]), int(self.cost.shape[1]))

    def allowed(self) -> npt.NDArray[np.bool_]:
        """(R, N) mask of the pairs a solution may use."""
        ok = within(self.cost, self.max_distance)
        return ok & (self.capacity[:, None] > 0) & (self.demand[None, :] > 0)

    def weighted_cents(self) -> npt.NDArray[np.int64]:
        """(R, N) whole centimetres of c_ij (0 where not allowed)."""
        w = np.where(self.paired, self.paired_factor, 1.0)
        c = np.where(self.allowed(), self.cost * w, 0.0)
        return np.rint(c * CM).astype(np.int64)

    def solve(self) -> MatchingResult:
        """The optimal matching (see the module docstring); always exists (maybe empty)."""
        ri, nj = np.nonzero(self.allowed())
        arc_cap = np.minimum(self.capacity[ri], self.demand[nj])
        flows = most_flow_least_cost(self.capacity, self.demand,
                                     np.zeros(self.demand.size, dtype=np.int64),
                                     ri.astype(np.int64), nj.astype(np.int64),
                                     arc_cap.astype(np.int64),
                                     self.weighted_cents()[ri, nj])
        return self._result([(int(ri[k]), int(nj[k]), int(flows[k]))
                             for k in np.flatnonzero(flows > 0)], "optimal")

    def greedy(self) -> MatchingResult:
        """Baseline: needs in turn take their nearest resources with capacity left."""
        ok = self.allowed()
        left = self.capacity.copy()
        out: list[tuple[int, int, int]] = []
        for j in range(self.shape[1]):
            want = int(self.demand[j])
            cand = np.flatnonzero(ok[:, j])
            for i in cand[np.argsort(self.cost[cand, j], kind="stable")]:
                if want == 0:
                    break
                give = int(min(want, left[i]))
                if give:
                    out.append((int(i), j, give))
                    left[i] -= give
                    want -= give
        return self._result(out, "greedy")

    def unmet_reasons(self, result: MatchingResult) -> list[Text]:
        """Why each need short of its demand is short, with numbers."""
        reachable: npt.NDArray[np.bool_] = np.asarray(
            within(self.cost, self.max_distance).any(axis=0), dtype=bool)
        met = result.met
        reasons = []
        for j in np.flatnonzero(met < self.demand):
            label = self.need_labels[j] if self.need_labels else Text("需求 %(j)s", j=int(j))
            if not reachable[j]:
                reasons.append(
                    Text("%(need)s：没有可用的同类资源", need=label)
                    if self.max_distance is None else
                    Text("%(need)s：%(m).0f 米内没有同类资源", need=label, m=self.max_distance))
            else:
                reasons.append(Text("%(need)s：需要 %(demand)s，同类资源已被用尽，满足 %(met)s",
                                    need=label, demand=int(self.demand[j]), met=int(met[j])))
        return reasons

    def _result(self, flows: list[tuple[int, int, int]], method: str) -> MatchingResult:
        return MatchingResult(
            matches=[Match(i, j, q, float(self.cost[i, j]), bool(self.paired[i, j]))
                     for i, j, q in flows],
            method=method, demand=self.demand)


def allowed_pairs(resource_kinds: Sequence[str], need_kinds: Sequence[str],
                  resource_periods: Sequence[tuple[dt.date, dt.date]],
                  need_periods: Sequence[tuple[dt.date, dt.date]]) -> npt.NDArray[np.bool_]:
    """(R, N) whether resource i may serve need j: the same kind and overlapping periods."""
    rk = np.asarray(resource_kinds, dtype=object).reshape(-1, 1)
    nk = np.asarray(need_kinds, dtype=object).reshape(1, -1)
    r0 = np.array([p[0].toordinal() for p in resource_periods], dtype=np.int64).reshape(-1, 1)
    r1 = np.array([p[1].toordinal() for p in resource_periods], dtype=np.int64).reshape(-1, 1)
    n0 = np.array([p[0].toordinal() for p in need_periods], dtype=np.int64).reshape(1, -1)
    n1 = np.array([p[1].toordinal() for p in need_periods], dtype=np.int64).reshape(1, -1)
    if not (rk.shape[0] == r0.shape[0] and nk.shape[1] == n0.shape[1]):
        raise ValueError("one kind and one period per resource and per need")
    return np.asarray((rk == nk) & (r0 <= n1) & (n0 <= r1), dtype=bool)

