"""Plausible 三张清单 for a demo: two to four needs a community this year, one or two
resources for most co-building units, and projects joining some of them (agreed, done or awaiting
review), never more than a need asks or a resource offers. Same input, same rows."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from geo.analysis.projection import geodesic_matrix
from geo.models import CoBuildingUnit, Community, Need, Project, ProjectStatus, Resource

# What a community asks for, by kind, and what units of each type tend to offer.
NEEDS = {
    "venue": ("周末借用会议室开居民议事会", "暑期借用操场办少儿活动"),
    "education": ("老年人智能手机培训", "青少年暑期课业辅导", "家长课堂"),
    "health": ("慢病老人健康体检", "义诊和用药咨询进社区"),
    "legal": ("物业纠纷法律咨询", "遗嘱与赡养法律讲座"),
    "culture": ("春节文艺汇演节目", "社区读书会导读"),
    "volunteer": ("独居老人定期探访", "垃圾分类督导志愿者"),
    "jobs": ("失业人员技能培训", "应届生就业指导"),
    "goods": ("困难家庭节日慰问物资", "社区微更新资金"),
}
OFFERS: dict[str, tuple[str, ...]] = {
    "organ": ("legal", "volunteer", "venue"),
    "institution": ("health", "education", "culture"),
    "soe": ("goods", "jobs", "volunteer"),
    "university": ("education", "culture", "volunteer"),
    "private": ("goods", "jobs"),
    "social": ("volunteer", "culture", "education"),
}
RESOURCE_TITLES = {
    "venue": "会议室和活动场地", "education": "讲师与培训课程", "health": "医护人员义诊",
    "legal": "律师法律服务", "culture": "文艺队伍与场次", "volunteer": "党员志愿服务队",
    "jobs": "岗位与技能培训名额", "goods": "慰问物资和资金",
}


def demo_lists(communities: list[Community], units: list[CoBuildingUnit], today: dt.date,
               common: dict[str, Any]) -> tuple[list[Need], list[Resource]]:
    """The year's needs and resources (not saved)."""
    rng = random.Random(2031)
    needs = []
    for c in communities:
        at = c.geom.point_on_surface
        for kind in rng.sample(sorted(NEEDS), rng.randint(2, 4)):
            needs.append(Need(community=c, year=today.year, kind=kind,
                              title=rng.choice(NEEDS[kind]), quantity=rng.choice((1, 1, 2, 3)),
                              location=at, posted_on=dt.date(today.year, 1, 1)
                              + dt.timedelta(days=rng.randrange(max(1, today.timetuple()
                                                                    .tm_yday))), **common))
    resources = []
    for u in units:
        if rng.random() < 0.3:  # not every unit has listed what it can give
            continue
        for kind in rng.sample(OFFERS[u.unit_type], rng.randint(1, 2)):
            resources.append(Resource(unit=u, kind=kind, title=RESOURCE_TITLES[kind],
                                      capacity=rng.randint(1, 3),
                                      available_from=dt.date(today.year, 1, 1),
                                      available_until=dt.date(today.year, 12, 31), **common))
    return needs, resources


def demo_projects(needs: list[Need], resources: list[Resource], today: dt.date,
                  common: dict[str, Any]) -> list[Project]:
    """Projects for about half the needs from the nearest resource of their kind with room;
    distances are left empty (the demo did not walk them: a real matching measures)."""
    rng = random.Random(2032)
    room = {r.pk: r.capacity for r in resources}
    out = []
    for n in needs:
        if rng.random() < 0.5:
            continue
        same = [r for r in resources if r.kind == n.kind and room[r.pk] > 0]
        if not same:
            continue
        d = geodesic_matrix([(r.unit.location.x, r.unit.location.y) for r in same],
                            [(n.location.x, n.location.y)])[:, 0]
        best = same[int(d.argmin())]
        if d.min() > 5_000:
            continue
        q = min(n.quantity, room[best.pk])
        room[best.pk] -= q
        roll = rng.random()
        status = (ProjectStatus.DONE if roll < 0.35 else ProjectStatus.AGREED if roll < 0.8
                  else ProjectStatus.PROPOSED)
        p = Project(need=n, resource=best, quantity=q, status=status, **common)
        decided = min(today, n.posted_on + dt.timedelta(days=rng.randint(3, 20)))
        if status != ProjectStatus.PROPOSED:
            p.decided_on = decided
        if status == ProjectStatus.DONE:
            done = min(today, decided + dt.timedelta(days=rng.randint(5, 40)))
            p.done_on, p.note = done, f"{done.isoformat()} （演示）已完成"
        out.append(p)
    return out
