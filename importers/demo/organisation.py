"""Plausible staffing and leaders' links for a demo: most communities report, some fall
short; about half have a leader linked, some links ended (history). Same input, same rows."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point

from geo.models import (
    Community,
    CommunityStaffing,
    Leader,
    LeaderLevel,
    LeaderLink,
    StarScore,
    Street,
    StreetStaffing,
    Wish,
)

from . import names

POSITIONS = {LeaderLevel.DISTRICT: ("区委副书记", "区委常委、组织部部长", "副区长",
                                    "区委常委、宣传部部长"),
             LeaderLevel.STREET: ("街道党工委书记", "街道办事处主任", "街道党工委副书记",
                                  "街道人大工委主任")}


def demo_staffing(communities: list[Community], streets: list[Street], today: dt.date,
                  common: dict[str, Any]) -> tuple[list[CommunityStaffing],
                                                   list[StreetStaffing]]:
    """This year's and last year's figures; about one community in ten has not reported."""
    rng = random.Random(2027)
    comm_rows, street_rows = [], []
    for year in (today.year - 1, today.year):
        for c in communities:
            if rng.random() < 0.1:
                continue
            large = c.households >= 3000
            funds = rng.choice((40_000, 50_000, 60_000, 80_000, 100_000, 120_000))
            comm_rows.append(CommunityStaffing(
                community=c, year=year, posts=rng.choice((6, 8, 9, 10, 10, 10, 11, 12, 13)),
                social_workers=rng.choice((5, 6, 7, 8, 9, 10)) + (1 if large else 0),
                funds_yuan=Decimal(funds), **common))
        for s in streets:
            street_rows.append(StreetStaffing(street=s, year=year,
                                              party_staff=rng.choice((2, 3, 4, 5, 6)), **common))
    return comm_rows, street_rows


def demo_leaders(communities: list[Community], streets: list[Street], today: dt.date,
                 common: dict[str, Any]) -> tuple[list[Leader], list[LeaderLink]]:
    """Two district leaders and two per street; each links to a few communities."""
    rng = random.Random(2028)
    leaders: list[Leader] = []
    for s in streets:
        for position in rng.sample(POSITIONS[LeaderLevel.STREET], 2):
            leaders.append(Leader(name=names.person_name(rng), position=position,
                                  level=LeaderLevel.STREET, district_id=s.district_id,
                                  street=s, **common))
    for district_id in sorted({s.district_id for s in streets}):
        for position in rng.sample(POSITIONS[LeaderLevel.DISTRICT], 2):
            leaders.append(Leader(name=names.person_name(rng), position=position,
                                  level=LeaderLevel.DISTRICT, district_id=district_id,
                                  **common))
    links: list[LeaderLink] = []
    by_street: dict[int, list[Community]] = {}
    for c in communities:
        by_street.setdefault(c.street_id, []).append(c)
    for lead in leaders:
        pool = (by_street.get(lead.street.pk, []) if lead.street is not None else
                [c for s in streets if s.district_id == lead.district_id
                 for c in by_street.get(s.pk, [])])
        for c in rng.sample(pool, min(len(pool), 2)):
            since = today - dt.timedelta(days=rng.randrange(60, 900))
            if rng.random() < 0.2:  # an earlier leader's link, ended: history
                until = since + dt.timedelta(days=rng.randrange(30, 50))
                links.append(LeaderLink(leader=lead, community=c, since=since, until=until,
                                        **common))
                since = until + dt.timedelta(days=1)
            links.append(LeaderLink(leader=lead, community=c, since=since, **common))
    return leaders, links


SCORED_EVIDENCE = {
    "livelihood": "（演示）全年帮办代办事项台账、慰问记录",
    "safety": "（演示）矛盾纠纷排查化解台账、平安创建材料",
    "brand": "（演示）特色服务品牌活动照片与报道",
    "chosen": "（演示）自选项目实施方案与总结",
}


def demo_star_scores(communities: list[Community], today: dt.date,
                     common: dict[str, Any]) -> list[StarScore]:
    """Evaluators' points for the scored stars this year; a few communities not yet scored."""
    rng = random.Random(2029)
    out = []
    for c in communities:
        if rng.random() < 0.1:
            continue
        for star, text in SCORED_EVIDENCE.items():
            out.append(StarScore(community=c, year=today.year, star=star, evidence=text,
                                 points=Decimal(rng.choice((5, 6, 7, 8, 8, 9, 9, 10))),
                                 **common))
    return out


WISH_TEXTS = {
    "goods": ("冬天需要一床厚棉被", "想要一台电饭煲", "需要一把轮椅"),
    "study": ("孩子想要一套初中数学辅导书", "想要一个护眼台灯", "需要一个新书包"),
    "health": ("希望有人陪同去医院复查", "需要一个血压计", "想请医生上门量血糖"),
    "care": ("独居老人希望每周有人来聊聊天", "希望有人帮忙接送孩子", "想学用智能手机"),
    "repair": ("厨房水龙头漏水需要维修", "楼道灯坏了", "窗户关不严需要修理"),
    "other": ("想要几盆绿植", "希望有人帮忙写春联"),
}


def demo_wishes(communities: list[Community], members: dict[int, list[int]],
                units: list[int], today: dt.date, common: dict[str, Any]) -> list[Wish]:
    """About four wishes a community this year: most fulfilled or claimed, some open."""
    rng = random.Random(2030)
    out = []
    for c in communities:
        box = c.geom.extent
        for _n in range(rng.randint(2, 6)):
            for _try in range(20):  # a point inside the community (its box is larger)
                at = Point(rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]), srid=4326)
                if c.geom.contains(at):
                    break
            else:
                at = c.geom.point_on_surface
            category = rng.choice(list(WISH_TEXTS))
            posted = dt.date(today.year, 1, 1) + dt.timedelta(
                days=rng.randrange(max(1, (today - dt.date(today.year, 1, 1)).days)))
            w = Wish(community=c, category=category, text=rng.choice(WISH_TEXTS[category]),
                     person=names.person_name(rng), location=at, posted_on=posted, **common)
            roll = rng.random()
            if roll < 0.65:
                mine = members.get(c.pk, [])
                if mine and rng.random() < 0.7:
                    w.member_id = rng.choice(mine)
                elif units:
                    w.unit_id = rng.choice(units)
                w.claimed_on = min(today, posted + dt.timedelta(days=rng.randint(0, 10)))
                w.status = "claimed"
                if roll < 0.45:
                    w.status = "fulfilled"
                    w.fulfilled_on = min(today, w.claimed_on + dt.timedelta(
                        days=rng.randint(1, 20)))
            elif roll > 0.95:
                w.status, w.note = "cancelled", "（演示）心愿人已不需要"
            out.append(w)
    return out
