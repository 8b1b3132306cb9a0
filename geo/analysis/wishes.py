"""Who could best claim a micro-wish (微心愿): near on foot, fitting, not yet busy (Django-free).

Candidates are members and co-building units. The rank of candidate i is by

    cost_i = walk_i × (1 - fit_bonus × fits_i) × (1 + busy_penalty × busy_i),

walk_i the walking metres from where the candidate is (a member's home, a unit's site) to
the wish, ``fits_i`` whether the candidate's kind suits the wish's category (a school for a
study wish, a clinic for a health wish; members fit every wish), ``busy_i`` whether a
member already claimed a wish this year (the 五个一 asks for one: spread them). Candidates
farther than ``max_m`` or unreachable are left out; ties go to the lower index.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CATEGORIES = ("goods", "study", "health", "care", "repair", "other")
# Unit types (geo.models.facilities.UnitType) whose help suits each category.
FITTING_UNITS: dict[str, frozenset[str]] = {
    "goods": frozenset({"soe", "private", "social"}),
    "study": frozenset({"institution", "university"}),
    "health": frozenset({"institution"}),
    "care": frozenset({"social", "institution"}),
    "repair": frozenset({"soe", "private"}),
    "other": frozenset(),
}


def rank_claimants(walk_m: npt.ArrayLike, fits: npt.ArrayLike, busy: npt.ArrayLike, k: int,
                   max_m: float = 3_000.0, fit_bonus: float = 0.5,
                   busy_penalty: float = 1.0) -> list[int]:
    """Indices of the ``k`` best candidates, best first (see the module docstring).

    Parameters
    ----------
    walk_m : (N,) walking metres from each candidate to the wish (inf: unreachable)
    fits : (N,) whether the candidate suits the wish's category
    busy : (N,) whether the candidate already claimed a wish this year
    """
    w = np.asarray(walk_m, dtype=np.float64)
    f = np.asarray(fits, dtype=bool)
    b = np.asarray(busy, dtype=bool)
    if not w.shape == f.shape == b.shape:
        raise ValueError(f"walk_m, fits and busy must have one shape, got {w.shape}, "
                         f"{f.shape}, {b.shape}")
    if not 0 <= fit_bonus < 1 or busy_penalty < 0:
        raise ValueError("fit_bonus must lie in [0, 1) and busy_penalty be >= 0")
    cost = w * (1 - fit_bonus * f) * (1 + busy_penalty * b)
    keep = np.flatnonzero(np.isfinite(w) & (w <= max_m))
    order = keep[np.lexsort((keep, cost[keep]))]
    return [int(i) for i in order[:k]]
