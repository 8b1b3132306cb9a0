"""Household-balanced partition of an ordered sequence of cells (Django-free)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence


class PartitionError(ValueError):
    """No partition satisfies the household range."""


def balanced_segments(
    households: Sequence[float], lo: float, hi: float, target: float | None = None
) -> list[tuple[int, int]]:
    """Split a sequence into contiguous segments whose sums lie in ``[lo, hi]``.

    Parameters
    ----------
    households : sequence of float
        Households of each cell, in an order where consecutive cells touch
        (e.g. a serpentine walk), so every segment is a contiguous region.
    lo, hi : float
        Allowed range of households per segment.
    target : float, optional
        Preferred segment size; defaults to the middle of ``[lo, hi]``.

    Returns
    -------
    list of (start, stop)
        Half-open index ranges covering the sequence in order.

    Notes
    -----
    Dynamic programme over prefixes: ``cost[i] = min_j cost[j] + (S(j, i) - target)^2``
    over ``j < i`` with ``lo <= S(j, i) <= hi``, where ``S`` is a segment sum. It is
    exact (minimum total squared deviation) in ``O(n^2)``.
    """
    if lo > hi:
        raise PartitionError(f"range is empty: lo {lo} > hi {hi}")
    n = len(households)
    goal = (lo + hi) / 2 if target is None else target
    prefix = [0.0]
    for h in households:
        if h < 0:
            raise PartitionError(f"negative households {h}")
        prefix.append(prefix[-1] + h)
    inf = float("inf")
    cost = [inf] * (n + 1)
    back = [-1] * (n + 1)
    cost[0] = 0.0
    for i in range(1, n + 1):
        for j in range(i):
            if cost[j] == inf:
                continue
            s = prefix[i] - prefix[j]
            if lo <= s <= hi:
                c = cost[j] + (s - goal) ** 2
                if c < cost[i]:
                    cost[i], back[i] = c, j
    if cost[n] == inf:
        raise PartitionError(
            f"cannot split {n} cells with {prefix[-1]:.0f} households into parts of {lo}-{hi}"
        )
    segments = []
    i = n
    while i > 0:
        segments.append((back[i], i))
        i = back[i]
    return segments[::-1]


def brute_force_cost(
    households: Sequence[float], lo: float, hi: float, target: float
) -> float | None:
    """Reference for :func:`balanced_segments`: try all ``2^(n-1)`` cut sets.

    Returns the minimum total squared deviation, or ``None`` when no partition fits.
    """
    n = len(households)
    best = None
    for cuts in itertools.product([False, True], repeat=n - 1):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        sums = [sum(households[a:b]) for a, b in itertools.pairwise(bounds)]
        if all(lo <= s <= hi for s in sums):
            cost = sum((s - target) ** 2 for s in sums)
            best = cost if best is None else min(best, cost)
    return best
