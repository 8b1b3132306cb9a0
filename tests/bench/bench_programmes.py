"""The party-building programmes' algorithms at city size, against plain-Python references.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_programmes.py``). Django-free:
the inputs are seeded arrays of the size of a Chengdu-size city (150,000 reporting members
with five activities each on average, 3,000 communities). Each way runs five times; the
median is printed with the ratio, and the two ways' answers are compared first.

- 五个一 completion (``duty_completion``) against counting distinct days in dicts of sets;
- the star rating (``star_points``) and the weak list (``weak_list``) against loops and a
  sort by hand;
- the staffing checks (``check_communities``) against a loop over the rows.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from geo.analysis.duties import duty_completion  # noqa: E402
from geo.analysis.staffing import StaffingRules, check_communities  # noqa: E402
from geo.analysis.stars import load_star_profile, star_points, weak_count, weak_list  # noqa: E402

MEMBERS, ACTIVITIES, COMMUNITIES, RUNS = 150_000, 750_000, 3_000, 5


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(RUNS):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def row(name: str, fast: float, ref: float) -> None:
    print(f"{name:<46} {fast * 1000:>10.1f} ms {ref * 1000:>12.1f} ms {ref / fast:>8.1f}×")


def duties() -> None:
    rng = np.random.default_rng(2026)
    member = rng.integers(0, MEMBERS, ACTIVITIES)
    kind = rng.integers(0, 5, ACTIVITIES)
    day = rng.integers(0, 365, ACTIVITIES)
    required = np.ones(5, dtype=np.int64)

    def reference() -> list[bool]:
        seen: dict[tuple[int, int], set[int]] = {}
        for m, k, d in zip(member.tolist(), kind.tolist(), day.tolist(), strict=True):
            seen.setdefault((m, k), set()).add(d)
        return [all(len(seen.get((m, k), ())) >= 1 for k in range(5)) for m in range(MEMBERS)]

    fast, out = timed(lambda: duty_completion(member, kind, day, MEMBERS, required))
    ref, expected = timed(reference)
    assert out.complete.tolist() == expected
    row(f"五个一, {MEMBERS:,} members / {ACTIVITIES:,} activities", fast, ref)


def stars() -> None:
    rng = np.random.default_rng(2027)
    profile = load_star_profile()
    measures = {"staffing": rng.choice([0.5, 1.0, np.nan], COMMUNITIES),
                "facility_ratio": rng.uniform(0, 60, COMMUNITIES),
                "reach_share": rng.uniform(0, 1, COMMUNITIES),
                "duties_share": rng.uniform(0, 1, COMMUNITIES),
                "pairing_units": rng.integers(0, 5, COMMUNITIES).astype(float),
                "events_on_time": rng.choice([np.nan, 0.5, 0.95], COMMUNITIES),
                "wishes_fulfilled": np.full(COMMUNITIES, np.nan)}
    scored = np.where(rng.random((COMMUNITIES, 10)) < 0.5, rng.integers(0, 11, (COMMUNITIES, 10)),
                      np.nan)
    codes = [f"{i:012d}" for i in range(COMMUNITIES)]
    village = rng.random(COMMUNITIES) < 0.2

    def reference() -> list[int]:
        totals, counts = [], []
        for i in range(COMMUNITIES):
            total, count = 0.0, 0
            for j, s in enumerate(profile.stars):
                v = measures[s.measure][i] if s.measure else math.nan
                if not math.isnan(v):
                    p = 10 * min(max(v / s.target, 0), 1)
                elif not math.isnan(scored[i, j]):
                    p = scored[i, j]
                else:
                    p = s.missing_points
                p = round(p, 1)
                total += p
                count += p >= profile.award_at
            totals.append(round(total, 6))
            counts.append(count)
        out = []
        for vil, share in ((False, profile.weak_share), (True, profile.weak_share_villages)):
            group = sorted((i for i in range(COMMUNITIES) if village[i] == vil),
                           key=lambda i: (totals[i], counts[i], codes[i]))
            last = group[weak_count(len(group), share) - 1]
            out += [i for i in group if (totals[i], counts[i]) <= (totals[last], counts[last])]
        return sorted(out, key=lambda i: (totals[i], counts[i], codes[i]))

    def fast_way() -> list[int]:
        r = star_points(measures, scored, profile)
        return weak_list(r.total, r.stars, codes, village, profile)

    fast, out = timed(fast_way)
    ref, expected = timed(reference)
    assert out == expected, (out[:5], expected[:5])
    row(f"532 stars and weak list, {COMMUNITIES:,} communities", fast, ref)


def staffing() -> None:
    rng = np.random.default_rng(2028)
    hh = rng.integers(500, 8000, COMMUNITIES)
    posts = rng.integers(5, 15, COMMUNITIES).astype(float)
    workers = rng.integers(3, 13, COMMUNITIES).astype(float)
    funds = rng.choice([40_000.0, 60_000.0, 120_000.0], COMMUNITIES)
    rules = StaffingRules()

    def reference() -> list[bool]:
        out = []
        for h, p, w, f in zip(hh, posts, workers, funds, strict=True):
            need = 100_000 if h >= 3000 else 50_000
            out.append(8 <= p <= 12 and 6 <= w <= 10 and f >= need)
        return out

    fast, out = timed(lambda: check_communities(hh, posts, workers, funds, rules))
    ref, expected = timed(reference)
    assert out.ok.tolist() == expected
    row(f"staffing checks, {COMMUNITIES:,} communities", fast, ref)


def main() -> None:
    print(f"{'what':<46} {'numpy':>13} {'reference':>15} {'ratio':>9}  (median of {RUNS})")
    duties()
    stars()
    staffing()


if __name__ == "__main__":
    main()
