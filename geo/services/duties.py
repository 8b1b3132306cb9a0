"""Reporting members' "五个一" of one year over the database: per member and community."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from geo.analysis.duties import community_duties, duty_completion
from geo.analysis.rules import RuleProfile
from geo.models.duties import SHORT_LABELS, DutyKind
from geo.models.tables import sql
from geo.services.text import title_of

COMMUNITIES_SQL = sql("""
SELECT c.id, c.code, c.name, s.name FROM {Community} c JOIN {Street} s ON s.id = c.street_id
WHERE c.code LIKE %s ORDER BY c.code
""")

# Members count where they report; one who has not reported anywhere owes no community.
MEMBERS_SQL = sql("""
SELECT m.id, m.name, m.reported_community_id FROM {ReportingMember} m
JOIN {Community} c ON c.id = m.reported_community_id
WHERE c.code LIKE %s ORDER BY c.code, m.id
""")

ACTIVITIES_SQL = sql("""
SELECT a.member_id, a.kind, a.on FROM {MemberActivity} a
JOIN {ReportingMember} m ON m.id = a.member_id
JOIN {Community} c ON c.id = m.reported_community_id
WHERE c.code LIKE %s AND a.on BETWEEN %s AND %s
""")


def this_year() -> int:
    """The year in Beijing time (a record made on 31 December at 23:30 counts for it)."""
    return timezone.localdate().year


def duty_labels() -> dict[str, str]:
    """Each duty's name in the active language."""
    return {k.value: str(k.label) for k in DutyKind}


def member_duties(scope: str, year: int, profile: RuleProfile) -> dict[str, Any]:
    """Every member of ``scope``'s duties done in ``year``, who is behind, and per community.

    Members are those who reported to a community of the scope. Names are returned whole:
    the caller masks them for a reader without the right to see them.
    """
    kinds = [k for k, _n in profile.member_duties]
    required = np.array([n for _k, n in profile.member_duties], dtype=np.int64)
    like = scope + "%"
    with connection.cursor() as cur:
        cur.execute(COMMUNITIES_SQL, [like])
        comms = cur.fetchall()
        cur.execute(MEMBERS_SQL, [like])
        members = cur.fetchall()
        cur.execute(ACTIVITIES_SQL, [like, dt.date(year, 1, 1), dt.date(year, 12, 31)])
        acts = [(m, kinds.index(k), d.toordinal()) for m, k, d in cur.fetchall() if k in kinds]
    row_of = {m[0]: i for i, m in enumerate(members)}
    comm_of = {c[0]: j for j, c in enumerate(comms)}
    done = duty_completion([row_of[a[0]] for a in acts], [a[1] for a in acts],
                           [a[2] for a in acts], len(members), required)
    per = community_duties([comm_of[m[2]] for m in members], done.complete, len(comms))
    labels = duty_labels()
    member_rows = []
    lacking = np.zeros((len(comms), len(kinds)), dtype=np.int64)
    for i, (mid, name, cid) in enumerate(members):
        j = comm_of[cid]
        lacking[j] += done.missing[i] > 0
        member_rows.append({
            "id": mid, "name": name, "community_code": comms[j][1], "community": comms[j][2],
            "counts": {k: int(done.counts[i, n]) for n, k in enumerate(kinds)},
            "missing": [k for n, k in enumerate(kinds) if done.missing[i, n] > 0],
            "missing_labels": [labels[k] for n, k in enumerate(kinds) if done.missing[i, n] > 0],
            "complete": bool(done.complete[i]), "progress": round(float(done.progress[i]), 4)})
    comm_rows = []
    for j, (_cid, code, name, street) in enumerate(comms):
        share = per.share[j]
        comm_rows.append({
            "code": code, "name": name, "street_name": street, "members": int(per.members[j]),
            "complete": int(per.complete[j]), "behind": int(per.members[j] - per.complete[j]),
            "share": None if np.isnan(share) else round(float(share), 4),
            "over_cap": bool(per.members[j] > profile.reporting_cap),
            **{f"lacking_{k}": int(lacking[j, n]) for n, k in enumerate(kinds)}})
    total, complete = len(members), int(done.complete.sum())
    return {
        "scope": scope or None, "year": year, "profile": profile.name,
        "profile_title": title_of(profile), "member_cap": profile.reporting_cap,
        "duties": [{"kind": k, "label": labels[k], "short": str(SHORT_LABELS[DutyKind(k)]),
                    "required": int(required[n])} for n, k in enumerate(kinds)],
        "summary": {"members": total, "complete": complete, "behind": total - complete,
                    "share": round(complete / total, 4) if total else None,
                    "activities": len(acts),
                    "lacking": {k: int(lacking[:, n].sum()) for n, k in enumerate(kinds)}},
        "communities": comm_rows,
        "members": member_rows,
    }
