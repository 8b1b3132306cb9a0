"""The party-building programmes' algorithms at city size, against plain-Python references.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_programmes.py``). Django-free:
the inputs are seeded arrays of the size of a Chengdu-size city (150,000 reporting members
with five activities each on average, 3,000 communities). Each way runs five times; the
median is printed with the ratio, and the two ways' answers are compared first.

- 五个一 completion (``duty_completion``) against counting distinct days in dicts of sets;
- the star rating (``star_points``) and the weak list (``weak_list``) against loops and a
  sort by hand;
- the staffing checks (``check_communities``) against a loop over the rows;
- the needs–resources matching (``MatchingProblem.solve``, a network flow) against the
  same problem as an integer programme in HiGHS (``tests/matching_reference.py``), for a
  district's lists, and the greedy baseline's shortfall;
- the sign plan (``plan_signs``) of a city-size street grid against walking each home's
  networkx shortest path to find where it joins the main road.
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
from geo.analysis.matching import CM, MatchingProblem  # noqa: E402
from geo.analysis.network import WalkGraph  # noqa: E402
from geo.analysis.signs import SignRules, plan_signs  # noqa: E402
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


def matching() -> None:
    from tests.matching_reference import solve_reference

    rng = np.random.default_rng(2029)
    n_res, n_need, side_m = 1_200, 3_000, 20_000.0
    res_xy, need_xy = rng.uniform(0, side_m, (n_res, 2)), rng.uniform(0, side_m, (n_need, 2))
    res_kind, need_kind = rng.integers(0, 9, n_res), rng.integers(0, 9, n_need)
    d = np.hypot(res_xy[:, None, 0] - need_xy[None, :, 0], res_xy[:, None, 1] - need_xy[None, :, 1])
    cost = np.where(res_kind[:, None] == need_kind[None, :], np.rint(d * 1.3 * CM) / CM, np.inf)
    problem = MatchingProblem.from_cost_matrix(
        cost, rng.integers(1, 4, n_res), rng.choice([1, 1, 2, 3], n_need),
        rng.random((n_res, n_need)) < 0.01, 0.5, 5_000.0)
    arcs = int(problem.allowed().sum())
    fast, best = timed(problem.solve)
    ref, expected = timed(lambda: solve_reference(problem))
    assert int(best.met.sum()) == expected.met
    assert sum(m.quantity * round(m.metres * (0.5 if m.paired else 1.0) * CM)
               for m in best.matches) == expected.total_cm
    greedy = problem.greedy().summary()
    row(f"matching, {n_need:,} needs × {n_res:,} resources ({arcs:,} arcs)", fast, ref)
    s = best.summary()
    print(f"{'':<46} met {s['met']:,} of {s['demand']:,} (greedy {greedy['met']:,}); "
          f"mean walk {s['mean_m']:,.0f} m (greedy {greedy['mean_m']:,.0f} m)")


def signs() -> None:
    from tests.analysis.test_it_sign_sites import _reference_scores

    rng = np.random.default_rng(2030)
    n, step = 120, 100.0  # a 12 km square street grid, a main road every 8th street
    deg = step / 111_000.0
    lonlat = np.array([(104.0 + c * deg, 30.5 + r * deg) for r in range(n) for c in range(n)])
    idx = np.arange(n * n).reshape(n, n)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    main = np.concatenate([np.repeat(np.arange(n), n - 1) % 8 == 0,
                           np.tile(np.arange(n), n - 1) % 8 == 0])
    graph = WalkGraph.from_arrays(lonlat, u, v, step * rng.uniform(1.0, 1.05, u.size))
    rules = SignRules(reach_m=1_000.0, max_signs=4, min_spacing_m=150.0)
    cells = rng.uniform(15, n - 15, (6, 2))
    where = [(104.0 + x * deg, 30.5 + y * deg) for x, y in cells]
    homes = [np.array([(104.0 + x * deg, 30.5 + y * deg) for x, y in
                       c + rng.uniform(-8, 8, (400, 2))]) for c in cells]
    weights = [rng.integers(10, 200, 400).astype(float) for _ in cells]

    def ours() -> list[list[int]]:
        return [[s.node for s in plan_signs(graph, c, h, w, main, rules).sites]
                for c, h, w in zip(where, homes, weights, strict=True)]

    def reference() -> list[list[int]]:
        # Every home's networkx path walked to where it joins the main road, then the same
        # greedy choice by households with the spacing.
        out = []
        for c, h, w in zip(where, homes, weights, strict=True):
            scores, dist = _reference_scores(graph, c, h, w, main, rules.reach_m,
                                             rules.min_from_center_m)
            chosen: list[int] = []
            for x in sorted(scores, key=lambda x: (-scores[x], dist[x], x)):
                if len(chosen) == rules.max_signs:
                    break
                xy = graph.project(graph.lonlat[[x, *chosen]])
                if all(np.hypot(*(xy[0] - xy[k])) >= rules.min_spacing_m
                       for k in range(1, len(xy))):
                    chosen.append(x)
            out.append(chosen)
        return out

    fast, got = timed(ours)
    ref, expected = timed(reference)
    assert got == expected
    row(f"sign plans, 6 centers, {n * n:,}-node grid", fast, ref)


def main() -> None:
    print(f"{'what':<46} {'numpy':>13} {'reference':>15} {'ratio':>9}  (median of {RUNS})")
    duties()
    stars()
    staffing()
    matching()
    signs()


if __name__ == "__main__":
    main()
