"""Likely duplicates among reported events: the same problem reported more than once.

Two events are *close* when they share a category, lie within ``metres`` of each other and
were reported within ``hours`` of each other. Duplicates are the connected groups of the
"close" relation (a chain of close reports is one problem reported along a street); each
group is proposed to be merged into its earliest report. Django-free: pairs in, groups out
(the pairs come from a spatial self-join in PostGIS, in metres on the spheroid).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def duplicate_groups(pairs: Iterable[tuple[int, int]], reported: dict[int, float]
                     ) -> list[list[int]]:
    """Groups of events joined by close ``pairs``, each earliest first (ties: lower id).

    ``reported[id]`` orders the events (e.g. a POSIX time). Union–find with path halving:
    O(pairs · α(events)).
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    out = [sorted(g, key=lambda i: (reported[i], i)) for g in groups.values() if len(g) > 1]
    return sorted(out, key=lambda g: (reported[g[0]], g[0]))


def brute_groups(events: Sequence[tuple[int, str, float, float, float]], metres: float,
                 hours: float) -> list[list[int]]:
    """The same groups by brute force on planar metres: (id, category, x, y, time_s) in.

    A reference for tests (flood fill over every pair).
    """
    close: dict[int, set[int]] = {e[0]: set() for e in events}
    for i, a in enumerate(events):
        for b in events[i + 1:]:
            if a[1] == b[1] and abs(a[4] - b[4]) <= hours * 3600 and \
                    (a[2] - b[2]) ** 2 + (a[3] - b[3]) ** 2 <= metres ** 2:
                close[a[0]].add(b[0])
                close[b[0]].add(a[0])
    seen: set[int] = set()
    reported = {e[0]: e[4] for e in events}
    out = []
    for e in events:
        if e[0] in seen or not close[e[0]]:
            continue
        stack, group = [e[0]], []
        seen.add(e[0])
        while stack:
            x = stack.pop()
            group.append(x)
            for y in close[x] - seen:
                seen.add(y)
                stack.append(y)
        out.append(sorted(group, key=lambda i: (reported[i], i)))
    return sorted(out, key=lambda g: (reported[g[0]], g[0]))
