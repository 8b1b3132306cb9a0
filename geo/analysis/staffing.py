"""Posts, social workers, funds and street party staff against the profile (Django-free).

The seed documents ask each community to set about ten posts with duties (设岗定责) and
keep six to ten full-time social workers, give it yearly working funds of at least 5万
yuan (10万 for large communities), and each street office at least four party staff. The
numbers live in the rule profile's ``staffing`` block; this module only compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class FundStep:
    """Communities with at least ``households_at_least`` households need ``min_yuan``."""

    households_at_least: int
    min_yuan: float


@dataclass(frozen=True)
class StaffingRules:
    """The ``staffing`` block of a rule profile."""

    posts: tuple[int, int] = (8, 12)  # "about ten posts"
    social_workers: tuple[int, int] = (6, 10)
    street_party_staff_min: int = 4
    funds: tuple[FundStep, ...] = (FundStep(0, 50_000.0), FundStep(3_000, 100_000.0))

    def funds_for(self, households: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The yearly funds each community needs, by its households (the highest step met)."""
        hh = np.asarray(households, dtype=np.float64)
        need = np.zeros(hh.shape, dtype=np.float64)
        for step in sorted(self.funds, key=lambda s: s.households_at_least):
            need = np.where(hh >= step.households_at_least, step.min_yuan, need)
        return need


@dataclass(frozen=True)
class CommunityStaffingCheck:
    """Per community (NaN input: no figures reported for the year).

    ``posts_short``/``workers_short`` are the posts or workers missing below the range's low
    end, ``*_over`` those above its high end; ``funds_short`` is yuan below the need.
    ``reported`` says the community reported its figures; ``ok`` that it did and none falls
    short or over.
    """

    reported: npt.NDArray[np.bool_]
    posts_short: npt.NDArray[np.int64]
    posts_over: npt.NDArray[np.int64]
    workers_short: npt.NDArray[np.int64]
    workers_over: npt.NDArray[np.int64]
    funds_required: npt.NDArray[np.float64]
    funds_short: npt.NDArray[np.float64]
    ok: npt.NDArray[np.bool_]


def _below(values: npt.NDArray[np.float64], low: float) -> npt.NDArray[np.int64]:
    return np.where(np.isnan(values), 0, np.maximum(low - values, 0)).astype(np.int64)


def _above(values: npt.NDArray[np.float64], high: float) -> npt.NDArray[np.int64]:
    return np.where(np.isnan(values), 0, np.maximum(values - high, 0)).astype(np.int64)


def check_communities(households: Sequence[float] | npt.ArrayLike, posts: npt.ArrayLike,
                      social_workers: npt.ArrayLike, funds_yuan: npt.ArrayLike,
                      rules: StaffingRules) -> CommunityStaffingCheck:
    """Compare each community's year with the rules.

    Parameters
    ----------
    households : (C,) households of each community (the funds step depends on it)
    posts, social_workers, funds_yuan : (C,) reported figures, NaN where not reported

    Notes
    -----
    With ``[lo, hi]`` a range of the rules and ``x`` a figure,
    ``short = max(lo - x, 0)`` and ``over = max(x - hi, 0)``;
    ``funds_short = max(need(households) - funds, 0)`` where ``need`` is the highest fund
    step whose household threshold the community reaches. A community that reported no
    figure of a kind is neither short nor over in it, and is not ``ok``.
    """
    p = np.asarray(posts, dtype=np.float64)
    w = np.asarray(social_workers, dtype=np.float64)
    f = np.asarray(funds_yuan, dtype=np.float64)
    need = rules.funds_for(households)
    if not p.shape == w.shape == f.shape == need.shape:
        raise ValueError(f"households, posts, social_workers and funds_yuan must have one "
                         f"shape, got {need.shape}, {p.shape}, {w.shape}, {f.shape}")
    reported = ~(np.isnan(p) | np.isnan(w) | np.isnan(f))
    out = CommunityStaffingCheck(
        reported=reported,
        posts_short=_below(p, rules.posts[0]), posts_over=_above(p, rules.posts[1]),
        workers_short=_below(w, rules.social_workers[0]),
        workers_over=_above(w, rules.social_workers[1]),
        funds_required=need,
        funds_short=np.where(np.isnan(f), 0.0, np.maximum(need - f, 0.0)),
        ok=reported.copy())
    bad = (out.posts_short + out.posts_over + out.workers_short + out.workers_over > 0) | (
        out.funds_short > 0)
    out.ok[bad] = False
    return out


def street_party_staff_short(party_staff: npt.ArrayLike, rules: StaffingRules
                             ) -> npt.NDArray[np.int64]:
    """Party staff each street office lacks, ``max(min - x, 0)`` (0 where not reported)."""
    return _below(np.asarray(party_staff, dtype=np.float64), rules.street_party_staff_min)
