"""An independent MILP of the needs–resources matching, solved by HiGHS (Django-free).

Used by the tests to check :mod:`geo.analysis.matching`, never by the product. Two
phases, the same lexicographic objective: the most quantity given, then the least weighted
distance in whole centimetres with that quantity fixed. Integer variables with bounds
[0, min(capacity, demand)]; no network structure is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from geo.analysis.matching import CM, MatchingProblem


@dataclass(frozen=True)
class ReferenceMatching:
    """Quantity given and total weighted centimetres from HiGHS."""

    met: int
    total_cm: int


def solve_reference(problem: MatchingProblem) -> ReferenceMatching:
    """Solve ``problem`` with HiGHS."""
    n_r, n_n = problem.shape
    ok = np.isfinite(problem.cost)
    if problem.max_distance is not None:
        ok &= problem.cost <= problem.max_distance
    ri, nj = np.nonzero(ok)
    n = ri.size
    if n == 0:
        return ReferenceMatching(0, 0)
    cols = np.arange(n)
    constraints = [
        LinearConstraint(coo_matrix((np.ones(n), (ri, cols)), shape=(n_r, n)), 0,
                         problem.capacity),
        LinearConstraint(coo_matrix((np.ones(n), (nj, cols)), shape=(n_n, n)), 0,
                         problem.demand),
    ]
    upper = np.minimum(problem.capacity[ri], problem.demand[nj]).astype(np.float64)
    bounds = Bounds(np.zeros(n), upper)
    integral = np.ones(n)
    first = milp(-np.ones(n), constraints=constraints, bounds=bounds, integrality=integral)
    if first.status != 0:
        raise RuntimeError(f"HiGHS failed on phase one: {first.message}")
    met = round(-first.fun)
    weight = np.where(problem.paired[ri, nj], problem.paired_factor, 1.0)
    cents = np.rint(problem.cost[ri, nj] * weight * CM)
    fixed = [*constraints, LinearConstraint(np.ones((1, n)), met, met)]
    second = milp(cents, constraints=fixed, bounds=bounds, integrality=integral)
    if second.status != 0:
        raise RuntimeError(f"HiGHS failed on phase two: {second.message}")
    return ReferenceMatching(met, round(second.fun))
