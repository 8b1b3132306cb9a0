"""Clusters of map cells whose drawn symbols would overlap (Django-free).

Counting events per square cell is exact and fast, but a dense spot on a cell corner
splits over up to four cells whose symbols, drawn at each cell's mean position, overlap.
Those cells are joined: the largest cell not yet taken seeds a cluster and takes every
untaken cell whose position lies within ``radius`` of its own (greedy, largest first, as
in common marker clustering). Each cell joins exactly one cluster.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree


def join_close_cells(xy: ArrayLike, counts: ArrayLike, radius: float) -> list[list[int]]:
    """Groups of cell indices to draw as one symbol each.

    Parameters
    ----------
    xy : (n, 2) positions of the cells in a projected CRS (metres).
    counts : (n,) events per cell; larger cells seed clusters first (ties: lower index).
    radius : a cell within this distance of a seed joins it.

    Returns
    -------
    list of lists of indices, a partition of ``range(n)``; each list starts with its seed.
    """
    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(pts)
    if n == 0:
        return []
    order = np.lexsort((np.arange(n), -np.asarray(counts, dtype=float)))
    tree = cKDTree(pts)
    taken = np.zeros(n, dtype=bool)
    groups: list[list[int]] = []
    for seed in order:
        if taken[seed]:
            continue
        near = [int(i) for i in sorted(tree.query_ball_point(pts[seed], radius))
                if not taken[i] and i != seed]
        taken[seed] = True
        taken[near] = True
        groups.append([int(seed), *near])
    return groups
