"""Chinese names for generated demo data (deterministic given a random generator)."""

from __future__ import annotations

import datetime as dt
import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段"
    "雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玉兰红梅"
    "鹏飞志强海燕晓东春梅丹宇浩然子涵雨欣思远嘉怡俊杰婷婷立新建华"
)
COMMUNITY_STEMS = [
    "锦绣", "翠竹", "梧桐", "桂香", "荷塘", "兰亭", "金桥", "银杏", "枫林", "柳岸", "清风", "明月",
    "书香", "紫荆", "海棠", "芙蓉", "和平", "幸福", "安康", "长乐", "新民", "光华", "东升", "西园",
    "南苑", "北辰", "双桥", "水碾", "石羊", "红星", "建设", "跃进", "团结", "友谊", "春熙", "望月",
    "云栖", "松柏", "青杨", "白果", "槐荫", "花溪", "碧波", "晨曦", "朝阳", "晓岚", "映雪", "瑞丰",
]
STREET_STEMS = ["锦华", "桂溪", "沙湾", "金顺", "龙潭", "万和"]
ROAD_STEMS = [
    "锦华", "蜀安", "桂荫", "翠屏", "青莲", "望川", "玉泉", "金沙", "银河", "芙蓉", "文翁", "浣花",
    "书院", "杜鹃", "梓潼", "崇德", "永丰", "安顺", "太平", "长春", "庆云", "鹤鸣", "兴隆", "宏济",
    "清江",
]
COMPOUND_PREFIX = [
    "锦绣", "翠苑", "金色", "阳光", "绿洲", "蓝湾", "丽景", "和美", "东方", "华府", "雅居", "盛世",
    "锦城", "天悦", "香榭", "御景", "泰和", "嘉禾", "融创", "龙湖", "万科", "首创", "保利", "招商",
    "中海", "蓝光", "置信", "合能", "华润", "新希望",
]
COMPOUND_SUFFIX = [
    "花园", "小区", "苑", "家园", "公寓", "新村", "雅居", "城", "府", "里", "名邸", "水岸",
]
UNITS = {
    "organ": ["区人民检察院", "区人民法院", "区税务局", "区市场监管局", "区教育局", "区卫健局",
              "区住建局", "区应急管理局", "区司法局", "区人社局", "区财政局", "区统计局"],
    "institution": ["区人民医院", "区妇幼保健院", "区图书馆", "区文化馆",
                    "区疾控中心",
                    "区第一中学", "区实验小学", "区中医医院", "区档案馆", "区体育中心"],
    "soe": ["国网锦城供电公司", "锦城燃气公司", "锦城水务集团", "中国移动锦城分公司",
            "中国电信锦城分公司", "锦城公交集团", "工商银行锦城支行", "建设银行锦城支行",
            "锦城城投集团", "邮政锦城分公司"],
    "university": ["锦城理工学院", "蜀都师范学院", "锦城职业技术学院", "西部财经学院"],
    "private": ["天府软件科技有限公司", "蜀锦数据服务有限公司", "锦程物流有限公司",
                "川味餐饮管理有限公司", "云端信息技术有限公司", "安居物业服务有限公司",
                "锦华建筑工程有限公司", "明达律师事务所", "恒信会计师事务所",
                "新蓉医药连锁有限公司",
                "锦城百货有限公司", "芙蓉文化传媒有限公司"],
    "social": ["锦城社工服务中心", "蜀光志愿者协会", "邻里互助促进会", "锦城慈善会",
               "阳光助老服务中心", "青少年成长服务社"],
}
HOURS = [
    "周一至周五 9:00-17:30；周六 9:00-12:00",
    "周一至周日 8:30-18:00",
    "周一至周五 8:30-12:00, 14:00-17:30",
    "周二至周日 9:00-20:00（周一闭馆）",
]


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese name."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    """A mobile number of the demo (format only)."""
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def landline(rng: random.Random) -> str:
    """A Chengdu-style landline number of the demo."""
    return f"028-8{rng.randrange(10**6, 10**7):07d}"


def id_number(rng: random.Random, region: str) -> str:
    """An 18-digit ID number in GB 11643 format with a valid check digit (fictitious)."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]
