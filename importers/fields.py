"""What each layer's columns mean: targets, their Chinese/English names and value types.

A column is matched to a target when its normalised name (lower case,
no spaces, underscores, hyphens or bracketed units: ``建筑面积（㎡）`` → ``建筑面积``)
equals one of the target's names. The first Chinese name is the header exports
write; ``short`` is the DBF field name (Shapefile names hold at most 10 bytes). Layer
names and messages are translated lazily (Django's gettext) into the active language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from geo.services.text import chinese

KINDS: Final = ("districts", "streets", "communities", "grids", "centers", "units",
                "buildings", "compounds", "members")
KIND_LABELS = {"districts": pgettext_lazy("layer", "区县"),
               "streets": pgettext_lazy("layer", "街道"),
               "communities": pgettext_lazy("layer", "社区"),
               "grids": pgettext_lazy("layer", "网格"),
               "centers": pgettext_lazy("layer", "党群服务中心"),
               "units": pgettext_lazy("layer", "共建单位"),
               "buildings": pgettext_lazy("layer", "楼栋"),
               "compounds": pgettext_lazy("layer", "小区"),
               "members": pgettext_lazy("layer", "报到党员")}


# One row of a layer, for sentences ("每个社区" / "each community").
KIND_NOUNS = {"districts": pgettext_lazy("one", "区县"), "streets": pgettext_lazy("one", "街道"),
              "communities": pgettext_lazy("one", "社区"), "grids": pgettext_lazy("one", "网格"),
              "centers": pgettext_lazy("one", "党群服务中心"),
              "units": pgettext_lazy("one", "共建单位"), "buildings": pgettext_lazy("one", "楼栋"),
              "compounds": pgettext_lazy("one", "小区"),
              "members": pgettext_lazy("one", "报到党员")}


def kind_noun(kind: str) -> str:
    """One row of the layer, named for a sentence in the active language."""
    return str(KIND_NOUNS.get(kind, kind))


def column_label(target: Target) -> str:
    """How a message names a field: its Chinese header, or its field name in English."""
    return target.header if chinese() else target.name


def kind_label(kind: str) -> str:
    """The layer's name in the active language (the kind itself when unknown)."""
    return str(KIND_LABELS.get(kind, kind))


POLYGON_KINDS: Final = frozenset({"districts", "streets", "communities", "grids", "buildings",
                                  "compounds"})
# Hierarchy levels; their codes are statistical codes (geo.analysis.codes).
LEVEL_OF: Final = {"districts": "district", "streets": "street", "communities": "community",
                   "grids": "grid"}


@dataclass(frozen=True)
class Target:
    """One attribute a layer can carry."""

    name: str
    header: str  # Chinese header written by exports and recognised by imports
    kind: str = "text"  # text, int, float, bool, date, choice, list, workers
    synonyms: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 150
    minimum: float | None = None
    maximum: float | None = None
    choices: str | None = None  # key of CHOICES
    import_only: bool = False  # read from files, never stored or exported as such

    @property
    def short(self) -> str:
        """DBF field name (at most 10 bytes), unique within a layer."""
        return SHORT_NAMES.get(self.name, self.name[:10])

    def names(self) -> tuple[str, ...]:
        return (self.name, self.header, *self.synonyms, self.short)


SHORT_NAMES: Final = {
    "households_estimated": "hh_est", "code_provisional": "code_prov",
    "community_code": "comm_code", "community_name": "comm_name",
    "district_code": "dist_code", "district_name": "dist_name",
    "reported_community_code": "rep_code", "reported_community_name": "rep_name",
    "reported_on": "rep_date",
}


def normalise(column: str) -> str:
    """Canonical form of a column name for matching."""
    text = re.sub(r"[（(\[【].*?[）)\]】]", "", str(column))
    return re.sub(r"[\s_\-:：/]+", "", text).lower()


def _t(name: str, header: str, kind: str = "text", *syn: str, **kw: object) -> Target:
    return Target(name, header, kind, tuple(syn), **kw)  # type: ignore[arg-type]


PROVISIONAL = _t("code_provisional", "临时代码", "bool", "是否临时代码", "provisional")
ESTIMATED = _t("households_estimated", "户数为估算", "bool", "户数估算", "estimated")
CODE_SYN = ("代码", "编码", "编号")  # not "id": ArcGIS adds an all-zero "Id"
HOUSEHOLDS = _t("households", "户数", "int", "总户数", "住户数", "户", "hh", minimum=0,
                maximum=1_000_000)
POPULATION = _t("population", "人口", "int", "人口数", "常住人口", "总人口", "pop",
                minimum=0, maximum=10_000_000)
PHONE = _t("phone", "电话", "text", "联系电话", "手机", "手机号", "tel", "telephone",
           max_length=40)
ADDRESS = _t("address", "地址", "text", "详细地址", "addr", max_length=200)
PARTY = _t("party_members", "党员数", "int", "党员人数", "党员", minimum=0, maximum=1_000_000)
STREET_CODE = _t("street_code", "街道代码", "text", "街道编码", "所属街道代码", max_length=9)
STREET_NAME = _t("street_name", "街道名称", "text", "街道", "所属街道", "街道办事处",
                 "乡镇街道", "镇街")
COMMUNITY_CODE = _t("community_code", "社区代码", "text", "社区编码", "所属社区代码",
                    "居委会代码", max_length=12)
COMMUNITY_NAME = _t("community_name", "社区名称", "text", "社区", "所属社区", "社区名",
                    "居委会")

FIELDS: Final[dict[str, tuple[Target, ...]]] = {
    "districts": (
        _t("code", "区划代码", "text", "区县代码", "行政区划代码", "adcode", *CODE_SYN,
           max_length=6, required=True),
        _t("name", "名称", "text", "区县名称", "区名称", "区县", "区名", "县市区", required=True),
        PROVISIONAL,
    ),
    "streets": (
        _t("code", "街道代码", "text", "街道编码", "区划代码", *CODE_SYN, max_length=9),
        _t("name", "街道名称", "text", "名称", "街道", "街道名", "乡镇街道", required=True),
        _t("district_code", "区县代码", "text", "区代码", "所属区县代码", max_length=6),
        _t("district_name", "区县名称", "text", "区名称", "所属区县", "区县", "县市区", "adname"),
        PROVISIONAL,
    ),
    "communities": (
        _t("code", "社区代码", "text", "社区编码", "居委会代码", "统计用区划代码", *CODE_SYN,
           max_length=12),
        _t("name", "社区名称", "text", "名称", "社区", "社区名", "居委会", required=True),
        STREET_CODE, STREET_NAME,
        # Tells apart same-named streets of two districts; --create-parents makes districts of it.
        _t("district_name", "区县名称", "text", "县市区", "区县", "所属区县", "区名称", "区县名",
           "adname", import_only=True),
        HOUSEHOLDS, POPULATION, PARTY,
        _t("area_class", "城区类别", "choice", choices="area_class", max_length=10),
        PROVISIONAL,
    ),
    "grids": (
        _t("code", "网格代码", "text", "网格编码", "网格编号", *CODE_SYN, max_length=15),
        _t("name", "网格名称", "text", "名称", "网格名", "网格", required=True),
        COMMUNITY_CODE, COMMUNITY_NAME, STREET_NAME, HOUSEHOLDS,
        _t("zone_type", "网格类型", "choice", "类型", choices="zone_type", max_length=16),
        _t("leader", "网格长", "text", max_length=50),
        _t("workers", "网格员", "workers", "专职网格员"),
        _t("party_branch", "网格党组织", "text", "网格党支部", "党支部", "党小组", max_length=100),
        ESTIMATED, PROVISIONAL,
    ),
    "centers": (
        _t("code", "编号", "text", "中心编号", "代码", "编码", max_length=40),
        _t("name", "名称", "text", "中心名称", "阵地名称", "服务中心名称", required=True),
        _t("level", "层级", "choice", "级别", "等级", choices="center_level", required=True,
           max_length=10),
        COMMUNITY_CODE, COMMUNITY_NAME, STREET_CODE, STREET_NAME,
        _t("floor_area", "建筑面积", "float", "面积", "使用面积", "阵地面积", "area",
           minimum=0, maximum=200_000),
        _t("opening_hours", "开放时间", "text", "服务时间", "办公时间", "hours", max_length=200),
        _t("services", "服务窗口", "list", "服务项目", "服务内容", choices="services"),
        PHONE, ADDRESS,
        _t("licensed", "可挂牌", "bool", "挂牌", "是否挂牌"),
        _t("comprehensive", "综合性中心", "bool", "综合性", "是否综合性中心"),
    ),
    "units": (
        _t("code", "编号", "text", "单位编号", "统一社会信用代码", "代码", "编码",
           max_length=40),
        _t("name", "单位名称", "text", "名称", "单位", required=True),
        _t("unit_type", "单位类型", "choice", "类型", "性质", "单位性质", "type",
           choices="unit_type", max_length=12),
        PARTY,
        _t("capacity", "可结对社区数", "int", "结对容量", "容量", minimum=1, maximum=50),
        ADDRESS, PHONE,
        _t("candidate", "候选", "bool", "是否候选"),
    ),
    "buildings": (
        _t("code", "楼栋编号", "text", "楼栋代码", *CODE_SYN, max_length=40),
        _t("name", "楼栋名称", "text", "名称", "楼号", "楼栋"),
        _t("levels", "层数", "int", "楼层数", "楼层", "地上层数", "buildinglevels",
           minimum=1, maximum=200),
        # Metres; gives levels where there is no levels column (importers/estimate.py).
        _t("height", "建筑高度", "float", "高度", "楼高", "height_m", minimum=0, maximum=700,
           import_only=True),
        HOUSEHOLDS,
        _t("residential", "住宅", "bool", "是否住宅"),
        _t("compound_name", "小区名称", "text", "小区", "所属小区"),
        COMMUNITY_CODE, COMMUNITY_NAME,
        _t("osm_id", "OSM编号", "int", "osmid", minimum=-(2**62), maximum=2**62),
        ESTIMATED,
    ),
    "compounds": (
        _t("code", "小区编号", "text", "小区代码", *CODE_SYN, max_length=40),
        _t("name", "小区名称", "text", "名称", "小区", required=True),
        HOUSEHOLDS, COMMUNITY_CODE, COMMUNITY_NAME,
        _t("osm_id", "OSM编号", "int", "osmid", minimum=-(2**62), maximum=2**62),
        ESTIMATED,
    ),
    "members": (
        _t("name", "姓名", "text", "名字", required=True, max_length=50),
        PHONE,
        _t("id_number", "身份证号", "text", "身份证号码", "证件号码", "身份证", max_length=18),
        _t("home_unit", "所在单位", "text", "工作单位", "单位", "单位名称"),
        _t("reported_community_code", "报到社区代码", "text", max_length=12),
        _t("reported_community_name", "报到社区", "text", "报到社区名称"),
        _t("reported_on", "报到日期", "date", "报到时间"),
    ),
    # Not a layer: what reporting members did ("五个一"), imported by importers.activities.
    "activities": (
        _t("member_id", "党员编号", "int", "编号", "member", "memberid", "党员id", minimum=1,
           maximum=2**62),
        _t("name", "姓名", "text", "党员姓名", "名字", max_length=50),
        PHONE,
        _t("id_number", "身份证号", "text", "身份证号码", "证件号码", "身份证", max_length=18),
        _t("kind", "活动类型", "choice", "类型", "活动", "项目", "kind", choices="duty_kind",
           required=True),
        _t("on", "日期", "date", "活动日期", "时间", "date", required=True),
        _t("note", "说明", "text", "备注", "内容", "活动内容", max_length=500),
    ),
    # Not layers either: staffing of a year (importers.organisation), by community or street.
    "staffing": (
        _t("code", "代码", "text", "社区代码", "街道代码", "区划代码", "编码", max_length=12,
           required=True),
        _t("year", "年度", "int", "年份", "year", minimum=2000, maximum=2100, required=True),
        _t("posts", "设岗数", "int", "岗位数", "设岗定责", "岗位", minimum=0, maximum=200),
        _t("social_workers", "专职社区工作者", "int", "专职社工", "社工人数", "社区工作者",
           minimum=0, maximum=500),
        _t("funds", "工作经费", "float", "经费", "年度经费", "工作经费元", minimum=0,
           maximum=1e9),
        _t("party_staff", "党务工作人员", "int", "党务干部", "党务工作者", "党务人员",
           minimum=0, maximum=500),
    ),
    "wishes": (
        _t("community_code", "社区代码", "text", "社区编码", max_length=12, required=True),
        _t("category", "类别", "choice", "心愿类别", "类型", choices="wish_category",
           required=True),
        _t("text", "心愿", "text", "心愿内容", "内容", max_length=300, required=True),
        _t("person", "心愿人", "text", "姓名", "居民", max_length=50, required=True),
        _t("lon", "经度", "float", "lng", "longitude", "x", minimum=-180, maximum=180,
           required=True),
        _t("lat", "纬度", "float", "latitude", "y", minimum=-90, maximum=90, required=True),
        _t("posted_on", "发布日期", "date", "日期", "登记日期"),
    ),
    # 三张清单 (importers.lists): a community's needs and a co-building unit's resources.
    "needs": (
        _t("community_code", "社区代码", "text", "社区编码", max_length=12, required=True),
        _t("year", "年度", "int", "年份", "year", minimum=2000, maximum=2100),
        _t("kind", "类别", "choice", "需求类别", "类型", choices="list_kind", required=True),
        _t("title", "需求", "text", "需求名称", "需求内容", "名称", max_length=100,
           required=True),
        _t("quantity", "数量", "int", "需求数量", "次数", "人数", minimum=1, maximum=1000),
        _t("detail", "说明", "text", "备注", "详细说明", max_length=500),
        _t("lon", "经度", "float", "lng", "longitude", "x", minimum=-180, maximum=180),
        _t("lat", "纬度", "float", "latitude", "y", minimum=-90, maximum=90),
    ),
    "resources": (
        _t("unit_id", "单位系统编号", "int", "系统编号", "unitid", minimum=1, maximum=2**62),
        _t("unit_code", "单位编号", "text", "单位代码", "共建单位编号", "统一社会信用代码",
           max_length=40),
        _t("unit_name", "单位名称", "text", "共建单位", "单位", max_length=150),
        _t("kind", "类别", "choice", "资源类别", "类型", choices="list_kind", required=True),
        _t("title", "资源", "text", "资源名称", "资源内容", "名称", max_length=100,
           required=True),
        _t("capacity", "可提供数量", "int", "数量", "次数", "名额", minimum=1, maximum=1000),
        _t("available_from", "起始日期", "date", "开始日期", "起始时间"),
        _t("available_until", "截止日期", "date", "结束日期", "截止时间"),
        _t("detail", "说明", "text", "备注", "详细说明", max_length=500),
    ),
    # 指引牌 already standing or approved (importers.lists.import_signs), from a ledger.
    "signs": (
        _t("center_id", "中心系统编号", "int", "系统编号", "centerid", minimum=1, maximum=2**62),
        _t("center_code", "中心编号", "text", "服务中心编号", max_length=40),
        _t("center_name", "服务中心", "text", "中心名称", "服务中心名称", max_length=150),
        _t("lon", "经度", "float", "lng", "longitude", "x", minimum=-180, maximum=180,
           required=True),
        _t("lat", "纬度", "float", "latitude", "y", minimum=-90, maximum=90, required=True),
        _t("status", "状态", "choice", "指引牌状态", choices="sign_status"),
        _t("walk_m", "步行距离", "int", "距离", "步行距离米", minimum=1, maximum=100_000),
        _t("route_bearing_deg", "箭头方位角", "float", "箭头方向角", minimum=0, maximum=360),
        _t("road", "所在道路", "text", "道路", max_length=100),
        _t("text", "牌面文字", "text", "牌面", "文字", max_length=200),
        _t("installed_on", "安装日期", "date", "日期"),
    ),
    "leader_links": (
        _t("name", "领导姓名", "text", "姓名", "领导", max_length=50, required=True),
        _t("position", "职务", "text", "职位", max_length=100, required=True),
        _t("level", "层级", "choice", "领导层级", "级别", choices="leader_level", required=True),
        _t("district_code", "区县代码", "text", "区代码", max_length=6, required=True),
        _t("street_code", "街道代码", "text", max_length=9),
        _t("community_code", "社区代码", "text", "挂点社区代码", max_length=12, required=True),
        _t("since", "开始日期", "date", "挂点日期", "起始日期", required=True),
        _t("until", "结束日期", "date", "截止日期"),
        _t("note", "说明", "text", "备注", max_length=300),
    ),
}

GEOMETRY_TARGETS: Final = (
    _t("lon", "经度", "float", "lng", "long", "longitude", "x", "东经", "坐标x", "lon84"),
    _t("lat", "纬度", "float", "latitude", "y", "北纬", "坐标y", "lat84"),
    # "WKT" is the column GDAL's CSV driver reads as geometry without being told.
    _t("wkt", "WKT", "text", "几何WKT", "geometry", "geom", "thegeom", "几何", "shape",
       "坐标串"),
)

# Accepted spellings of choice values; the first key is the stored value.
CHOICES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "center_level": {
        "district": ("区级", "区", "区县级", "县级", "区级中心"),
        "street": ("街道级", "街道", "镇", "乡镇", "街道级中心"),
        "community": ("社区级", "社区", "村", "居委会"),
        "site": ("站点", "站", "小区", "楼宇", "园区", "商圈", "小区站点"),
    },
    "zone_type": {
        "residential": ("生活居住区", "居住区", "居住", "住宅"),
        "production": ("生产作业区", "生产区", "园区", "商务区"),
        "road_traffic": ("道路交通区", "道路", "交通"),
    },
    "area_class": {
        "central": ("中心城区", "中心城", "主城区"),
        "county": ("县级城区", "县城", "县级"),
    },
    "unit_type": {
        "organ": ("机关", "政府", "党政机关", "政府机构", "行政"),
        "institution": ("事业单位", "学校", "医院", "中学", "小学", "幼儿园", "卫生",
                        "诊所", "医疗", "科教文化"),
        "soe": ("国有企业", "国企", "央企"),
        "university": ("高校", "大学", "学院", "高等院校"),
        "private": ("非公企业", "民营企业", "公司", "企业", "私营"),
        "social": ("社会组织", "协会", "基金会", "社团"),
    },
    "duty_kind": {
        "meeting": ("参加社区党组织活动", "组织活动", "党组织活动", "会议", "党员大会", "主题党日"),
        "talk": ("与社区干部谈心", "谈心", "谈心谈话", "谈话"),
        "survey": ("参与社区调研", "调研", "走访", "调查"),
        "wish": ("认领微心愿", "微心愿", "心愿"),
        "volunteer": ("志愿服务一天", "志愿服务", "志愿", "志愿者"),
    },
    "wish_category": {
        "goods": ("生活物资", "物资", "生活用品"),
        "study": ("学习用品", "学习", "助学"),
        "health": ("医疗健康", "医疗", "健康", "看病"),
        "care": ("陪伴照料", "陪伴", "照料", "关爱"),
        "repair": ("维修帮办", "维修", "帮办", "代办"),
        "other": ("其他",),
    },
    "list_kind": {
        "venue": ("场地设施", "场地", "阵地", "会议室"),
        "education": ("教育培训", "培训", "教育", "讲座", "课程"),
        "health": ("医疗健康", "医疗", "健康", "义诊", "卫生"),
        "legal": ("法律服务", "法律", "法律咨询", "普法"),
        "culture": ("文体活动", "文化", "文体", "文艺", "体育"),
        "volunteer": ("志愿服务", "志愿", "志愿者"),
        "jobs": ("就业创业", "就业", "创业", "岗位"),
        "goods": ("资金物资", "资金", "物资", "慰问"),
        "other": ("其他",),
    },
    "sign_status": {
        "installed": ("已安装", "安装", "在用"),
        "approved": ("已批准", "批准", "待安装"),
    },
    "leader_level": {
        "district": ("区级领导", "区级", "区领导", "区"),
        "street": ("街道领导", "街道", "街道级", "镇街"),
    },
    "services": {
        "party": ("党员服务",),
        "general": ("综合业务", "综合服务"),
        "proxy": ("帮办代办", "代办"),
        "consult": ("咨询投诉", "咨询"),
    },
}


@dataclass
class FieldMap:
    """Columns chosen for each target, and the columns left unused."""

    columns: dict[str, str] = field(default_factory=dict)  # target -> source column
    unused: list[str] = field(default_factory=list)
    overridden: set[str] = field(default_factory=set)
    source: list[str] = field(default_factory=list)  # the file's columns, in order

    def describe(self) -> list[str]:
        """One line per mapped target, ``target ← column`` (``*`` marks --map)."""
        return [f"{t} ← {c}{' *' if t in self.overridden else ''}"
                for t, c in self.columns.items()]


class MappingError(ValueError):
    """A --map option or the file's columns cannot satisfy the layer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def targets_of(kind: str) -> tuple[Target, ...]:
    """Attribute and geometry targets of ``kind``."""
    return FIELDS[kind] + GEOMETRY_TARGETS


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["households=户数（户）", ...]`` → ``{"households": "户数（户）"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise MappingError("map_syntax", _("--map %(pair)r：请写作 字段=列名") % {"pair": pair})
        out[target.strip()] = source.strip()
    return out


def map_fields(kind: str, columns: list[str], overrides: dict[str, str]) -> FieldMap:
    """Match ``columns`` to the targets of ``kind``; ``overrides`` win.

    Earlier names of a target win over later ones, and a column serves one target. An
    override to ``""`` leaves its target unmapped (the import page's "none").
    """
    targets = {t.name: t for t in targets_of(kind)}
    result = FieldMap(source=list(columns))
    taken: set[str] = set()
    for target, source in overrides.items():
        if target not in targets:
            raise MappingError("map_target", _(
                "--map %(target)s=…：%(kind)s没有字段 %(target)r；可用字段为 %(fields)s") % {
                    "target": target, "kind": kind_noun(kind), "fields": ", ".join(targets)})
        if source == "":
            result.overridden.add(target)
            continue
        if source not in columns:
            raise MappingError("map_column", _(
                "--map %(target)s=%(source)s：没有列 %(source)r；现有的列为 %(columns)s") % {
                    "target": target, "source": source, "columns": ", ".join(columns)})
        result.columns[target] = source
        result.overridden.add(target)
        taken.add(source)
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise(col), col)
    for name, spec in targets.items():
        if name in result.columns or name in result.overridden:
            continue
        for candidate in spec.names():
            found = by_norm.get(normalise(candidate))
            if found is not None and found not in taken:
                result.columns[name] = found
                taken.add(found)
                break
    result.unused = [c for c in columns if c not in taken]
    return result
