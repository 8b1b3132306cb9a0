"""Reporting members' yearly duties, "五个一", and their completion (Django-free)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class DutyCompletion:
    """Each member's duties of one year against what the profile asks.

    ``counts[i, k]`` is the number of days member i did duty k; ``done`` caps it at what is
    owed, ``missing`` is what is still owed, ``complete[i]`` says nothing is missing and
    ``progress[i]`` is the share of owed duties done (1.0 when nothing is owed).
    """

    counts: npt.NDArray[np.int64]
    required: npt.NDArray[np.int64]
    done: npt.NDArray[np.int64]
    missing: npt.NDArray[np.int64]
    complete: npt.NDArray[np.bool_]
    progress: npt.NDArray[np.float64]


def duty_completion(member: npt.ArrayLike, kind: npt.ArrayLike, day: npt.ArrayLike,
                    n_members: int, required: npt.ArrayLike) -> DutyCompletion:
    """Count each member's duties by distinct day and compare them with what is owed.

    Parameters
    ----------
    member : (A,) member index of each recorded activity, in ``[0, n_members)``
    kind : (A,) duty index of each activity, in ``[0, K)``
    day : (A,) the activity's date as an integer (e.g. ``date.toordinal()``)
    n_members : number of members (those with no activity owe everything)
    required : (K,) how many of each duty a member owes in the year

    Notes
    -----
    A duty counts once per day: two records of one member, duty and date (a meeting entered
    twice, once by hand and once from a spreadsheet) are one day of that duty, which is what
    "serve one day as a volunteer" asks. Then, per member i and duty k,

        done[i, k] = min(counts[i, k], required[k]),
        complete[i] = all_k counts[i, k] >= required[k],
        progress[i] = sum_k done[i, k] / sum_k required[k].
    """
    req = np.asarray(required, dtype=np.int64)
    m = np.asarray(member, dtype=np.int64)
    k = np.asarray(kind, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    if not m.shape == k.shape == d.shape or m.ndim != 1:
        raise ValueError(f"member, kind and day must be 1-D of one length, got "
                         f"{m.shape}, {k.shape}, {d.shape}")
    if (req < 0).any():
        raise ValueError(f"required counts must not be negative, got {req.tolist()}")
    if m.size and (m.min() < 0 or m.max() >= n_members or k.min() < 0 or k.max() >= req.size):
        raise ValueError(f"member indices must lie in [0, {n_members}) and duty indices in "
                         f"[0, {req.size})")
    counts = np.zeros((n_members, req.size), dtype=np.int64)
    if m.size:
        # One integer per (member, duty, day), sorted, repeats dropped: several times faster
        # than np.unique over rows (or its hashing 1-D path); the span of days keeps the
        # key well inside int64.
        span = int(d.max() - d.min()) + 1
        key = np.sort((m * req.size + k) * span + (d - d.min()))
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
        pair = key // span  # member * K + duty, once per distinct day
        counts += np.bincount(pair, minlength=n_members * req.size).reshape(
            n_members, req.size)
    done = np.minimum(counts, req[None, :])
    complete: npt.NDArray[np.bool_] = np.all(counts >= req[None, :], axis=1)
    owed = int(req.sum())
    progress = (done.sum(axis=1) / owed if owed else np.ones(n_members)).astype(np.float64)
    return DutyCompletion(counts=counts, required=req, done=done, missing=req[None, :] - done,
                          complete=complete, progress=progress)


@dataclass(frozen=True)
class CommunityDuties:
    """Per community: members reporting there, how many did every duty, and the share."""

    members: npt.NDArray[np.int64]
    complete: npt.NDArray[np.int64]
    share: npt.NDArray[np.float64]  # NaN where a community has no member


def community_duties(community: npt.ArrayLike, complete: npt.ArrayLike,
                     n_communities: int) -> CommunityDuties:
    """Roll members' completion up to the communities they report to.

    Parameters
    ----------
    community : (M,) community index of each member, -1 for none (left out)
    complete : (M,) whether the member did every duty
    n_communities : number of communities

    Notes
    -----
    ``share[j] = complete[j] / members[j]``, undefined (NaN) for a community with none.
    """
    c = np.asarray(community, dtype=np.int64)
    ok = np.asarray(complete, dtype=bool)
    keep = c >= 0
    members = np.bincount(c[keep], minlength=n_communities).astype(np.int64)
    done = np.bincount(c[keep], weights=ok[keep], minlength=n_communities).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(members > 0, done / np.maximum(members, 1), np.nan)
    return CommunityDuties(members=members, complete=done, share=share.astype(np.float64))
