"""Bipartite transport with the most flow first, then the least cost (Django-free).

The pairing (units → communities) and the needs–resources matching (resources → needs)
are both this problem; they differ only in arc capacities and costs.

Formulation
-----------
Left nodes i with supply a_i, right nodes j with capacity b_j and minimum m_j, arcs
(i, j) with capacity u_ij and integer cost c_ij (whole centimetres):

    lexicographically: maximise Σ x_ij, then minimise Σ c_ij x_ij
    subject to  Σ_j x_ij ≤ a_i,   m_j ≤ Σ_i x_ij ≤ b_j,   0 ≤ x_ij ≤ u_ij, x integral

As a min-cost flow S → left → right → T, the minimums m_j moved into node supplies and a
bypass S → T whose unit cost ``big`` exceeds the cost of any augmenting path, so the flow
through real arcs is maximal before cost is minimised. An augmenting path alternates
forward and backward arcs and uses at most min(L, R) + 1 forward arcs, so
big = (min(L, R) + 1) · max c + 1 suffices. The constraint matrix is totally unimodular,
so the integral optimum of the network solver is optimal for the integer problem.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class FlowFailed(RuntimeError):
    """The network solver found no optimum (the minimums cannot all be met)."""


def most_flow_least_cost(supply: npt.NDArray[np.int64], capacity: npt.NDArray[np.int64],
                         minimum: npt.NDArray[np.int64], tails: npt.NDArray[np.int64],
                         heads: npt.NDArray[np.int64], arc_capacity: npt.NDArray[np.int64],
                         arc_cost: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The flow on each arc of the lexicographic optimum (see the module docstring).

    Parameters
    ----------
    supply : (L,) most flow out of each left node
    capacity, minimum : (R,) most and least flow into each right node (minimum ≤ capacity)
    tails, heads : (A,) left and right node of each arc
    arc_capacity : (A,) most flow on each arc
    arc_cost : (A,) non-negative integer cost of one unit of flow on each arc

    Raises
    ------
    FlowFailed
        when no flow meets every minimum (callers check feasibility first and say why).
    """
    n_l, n_r = int(supply.size), int(capacity.size)
    s, t = n_l + n_r, n_l + n_r + 1
    total = int(supply.sum())
    big = (min(n_l, n_r) + 1) * (int(arc_cost.max()) if arc_cost.size else 0) + 1
    arc_tails = np.concatenate([np.full(n_l, s), tails, n_l + np.arange(n_r), [s]])
    arc_heads = np.concatenate([np.arange(n_l), n_l + heads, np.full(n_r, t), [t]])
    caps = np.concatenate([supply, arc_capacity, capacity - minimum, [total]])
    costs = np.concatenate([np.zeros(n_l, dtype=np.int64), arc_cost,
                            np.zeros(n_r, dtype=np.int64), [big]])
    from ortools.graph.python import min_cost_flow  # on use: it costs start-up time

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        arc_tails.astype(np.int64), arc_heads.astype(np.int64), caps.astype(np.int64),
        costs.astype(np.int64))
    supplies = np.zeros(n_l + n_r + 2, dtype=np.int64)
    supplies[s] = total
    supplies[n_l:n_l + n_r] = -minimum
    supplies[t] = -(total - int(minimum.sum()))
    flow.set_nodes_supplies(np.arange(supplies.size, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise FlowFailed(status.name)
    return np.asarray(flow.flows(np.arange(n_l, n_l + tails.size, dtype=np.int64)),
                      dtype=np.int64)


def broadcast_counts(value: int | Sequence[int] | npt.ArrayLike, n: int,
                     name: str) -> npt.NDArray[np.int64]:
    """``value`` as ``n`` non-negative integers (a scalar is repeated)."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, int(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have length {n}, got shape {arr.shape}")
    if (arr < 0).any():
        raise ValueError(f"{name} must not be negative")
    return arr.astype(np.int64)


def cost_matrix(cost: npt.ArrayLike, rows: str, cols: str) -> npt.NDArray[np.float64]:
    """``cost`` as a (rows, cols) float matrix of metres, nan read as inf (not allowed)."""
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"cost must be a ({rows}, {cols}) matrix, got shape {c.shape}")
    c = np.where(np.isnan(c), np.inf, c)
    if (c < 0).any():
        raise ValueError("distances must not be negative")
    return c


def within(cost: npt.NDArray[np.float64], max_distance: float | None) -> npt.NDArray[np.bool_]:
    """The pairs with a distance, and no farther than ``max_distance`` when there is one."""
    ok = np.isfinite(cost)
    if max_distance is not None:
        ok &= cost <= max_distance
    return np.asarray(ok, dtype=bool)


def check_labels(*groups: tuple[Sequence[str], int, str]) -> None:
    """Each (labels, count, what): labels are either absent or one per row or column."""
    for labels, n, what in groups:
        if labels and len(labels) != n:
            raise ValueError(f"{len(labels)} {what} labels for {n} {what}s")
