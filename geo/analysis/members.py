"""Reporting party members per community against the cap (Django-free)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class MemberLoad:
    """Members per community, who is over the cap, and where the overflow could go.

    ``suggestions[j]`` lists (community index, places taken, metres) for an over-cap
    community j: nearest first, each under-cap community taking what it has spare,
    until the overflow is placed (or no spare place is left).
    """

    counts: npt.NDArray[np.int64]
    cap: int
    over: npt.NDArray[np.bool_]
    overflow: npt.NDArray[np.int64]
    suggestions: dict[int, list[tuple[int, int, float]]]
    unplaced: int


def member_load(residence_community: npt.ArrayLike, n_communities: int, cap: int,
                distance: npt.ArrayLike) -> MemberLoad:
    """Count members by residence community and suggest where the overflow goes.

    Parameters
    ----------
    residence_community : (M,) community index of each member's residence, -1 if none
    n_communities : number of communities
    cap : members per community (DESIGN §3 reporting-cap, default 100)
    distance : (C, C) metres between communities

    Notes
    -----
    Over-cap communities are served in order of their overflow, largest first; each
    takes spare places from its nearest under-cap communities. Spare places taken by
    one are gone for the next, so the suggestions never overfill a community.
    """
    res = np.asarray(residence_community, dtype=np.int64)
    counts = np.bincount(res[res >= 0], minlength=n_communities).astype(np.int64)
    d = np.asarray(distance, dtype=np.float64)
    if d.shape != (n_communities, n_communities):
        raise ValueError(f"distance must be ({n_communities}, {n_communities}), got {d.shape}")
    over = counts > cap
    overflow = np.maximum(counts - cap, 0)
    spare = np.maximum(cap - counts, 0)
    suggestions: dict[int, list[tuple[int, int, float]]] = {}
    unplaced = 0
    for j in np.argsort(-overflow, kind="stable"):
        left = int(overflow[j])
        if left == 0:
            break
        picks = []
        for k in np.argsort(d[j], kind="stable"):
            if left == 0:
                break
            if k == j or spare[k] == 0 or not np.isfinite(d[j, k]):
                continue
            take = int(min(spare[k], left))
            spare[k] -= take
            left -= take
            picks.append((int(k), take, float(d[j, k])))
        suggestions[int(j)] = picks
        unplaced += left
    return MemberLoad(counts=counts, cap=cap, over=over, overflow=overflow,
                      suggestions=suggestions, unplaced=unplaced)
