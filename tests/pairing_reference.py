"""An independent MILP formulation of the pairing problem, solved by HiGHS (Django-free).

Used by the tests and the benchmark to check :mod:`geo.analysis.pairing`, never by the product.
Two phases, the same lexicographic objective: maximise the number of pairings, then
minimise the total distance in whole centimetres with that number fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from geo.analysis.pairing import CM, PairingProblem


@dataclass(frozen=True)
class ReferenceSolution:
    """Feasibility, number of pairings and total centimetres from HiGHS."""

    feasible: bool
    pairings: int
    total_cm: int
    pairs: list[tuple[int, int]]


class ReferenceTimeout(RuntimeError):
    """HiGHS did not finish within the time limit."""


def solve_reference(problem: PairingProblem, integral: bool = True,
                    time_limit: float | None = None) -> ReferenceSolution:
    """Solve ``problem`` with HiGHS; ``integral=False`` solves the LP relaxation."""
    opts = {} if time_limit is None else {"time_limit": time_limit}
    n_u, n_c = problem.shape
    ok = np.isfinite(problem.cost)
    if problem.max_distance is not None:
        ok &= problem.cost <= problem.max_distance
    locked = set(problem.locked)
    for i, j in locked:
        ok[i, j] = True
    ui, cj = np.nonzero(ok)
    n = ui.size
    lower = np.array([1.0 if (i, j) in locked else 0.0
                      for i, j in zip(ui.tolist(), cj.tolist(), strict=True)])
    cols = np.arange(n)
    a_units = coo_matrix((np.ones(n), (ui, cols)), shape=(n_u, n))
    a_comms = coo_matrix((np.ones(n), (cj, cols)), shape=(n_c, n))
    constraints = [
        LinearConstraint(a_units, -np.inf, problem.unit_capacity),
        LinearConstraint(a_comms, problem.community_min, problem.community_cap),
    ]
    integrality = np.ones(n) if integral else np.zeros(n)
    bounds = Bounds(lower, np.ones(n))
    if n == 0:
        feasible = bool((problem.community_min == 0).all())
        return ReferenceSolution(feasible, 0, 0, [])
    first = milp(-np.ones(n), constraints=constraints, bounds=bounds, integrality=integrality,
                 options=opts)
    if first.status == 1:
        raise ReferenceTimeout(f"HiGHS stopped at its {time_limit} s limit")
    if first.status != 0:
        return ReferenceSolution(False, 0, 0, [])
    count = round(-first.fun)
    cents = np.rint(problem.cost[ui, cj] * CM)
    fixed = [*constraints, LinearConstraint(np.ones((1, n)), count, count)]
    second = milp(cents, constraints=fixed, bounds=bounds, integrality=integrality,
                  options=opts)
    if second.status == 1:
        raise ReferenceTimeout(f"HiGHS stopped at its {time_limit} s limit")
    if second.status != 0:
        raise RuntimeError(f"HiGHS failed on phase two: {second.message}")
    chosen = np.nonzero(second.x > 0.5)[0]
    return ReferenceSolution(True, count, round(second.fun),
                             [(int(ui[k]), int(cj[k])) for k in chosen])
