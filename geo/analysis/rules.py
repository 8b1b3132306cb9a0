"""Rule profiles: every threshold the checks use, as data (Django-free).

A profile is a JSON file; the built-in ones live in ``geo/profiles``. ``load_profile``
takes a built-in name or a path to a file of the same shape, so a city can keep its
own profile beside its data. Every result names the profile it used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .sign_rules import SignRules
from .staffing import FundStep, StaffingRules
from .text import Text

# The seed documents' "五个一": one party meeting, one talk with the community's cadres,
# one survey, one claimed micro-wish and one day of volunteering, every year.
DUTY_KINDS = ("meeting", "talk", "survey", "wish", "volunteer")
DEFAULT_MEMBER_DUTIES: tuple[tuple[str, int], ...] = tuple((k, 1) for k in DUTY_KINDS)
DEFAULT_STAFFING = StaffingRules()
DEFAULT_SIGNS = SignRules()
PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "national-2022"


class ProfileError(ValueError):
    """A profile is missing or malformed."""


@dataclass(frozen=True)
class CapStep:
    """Communities with at least ``households_at_least`` households may take ``cap`` units."""

    households_at_least: int
    cap: int


@dataclass(frozen=True)
class RuleProfile:
    """The thresholds of DESIGN §3 for one jurisdiction."""

    name: str
    title: str  # Chinese; a profile may give ``title_en`` for the English interface
    title_en: str
    facility_ratio_m2_per_100_households: float
    facility_min_m2: float
    center_area_by_level_m2: dict[str, float]
    comprehensive_center_min_m2: float
    pairing_cap: int
    pairing_cap_by_households: tuple[CapStep, ...]
    reporting_cap: int
    walk_reach_m: tuple[float, ...]
    walk_speed_m_per_min: float
    max_snap_m: float
    grid_households: tuple[int, int]
    weak_share: float
    # A resident is answered with centers within this many metres, else told there is none
    # (a center 1,600 km away is no answer); co-building units pair within this distance
    # unless a run names its own limit. Both optional in a profile file.
    service_radius_m: float = 20_000.0
    pairing_max_distance_m: float = 20_000.0
    # "五个一": how many of each duty a reporting member owes in a calendar year.
    member_duties: tuple[tuple[str, int], ...] = DEFAULT_MEMBER_DUTIES
    # Posts, social workers, funds and street party staff (geo.analysis.staffing).
    staffing: StaffingRules = DEFAULT_STAFFING
    # 三张清单: resources serve needs within this walk; a paired unit's metres weigh less.
    lists_max_distance_m: float = 5_000.0
    lists_paired_factor: float = 0.5
    # 指引牌: where direction signs to a center may stand (geo.analysis.signs).
    signs: SignRules = DEFAULT_SIGNS

    def pairing_cap_for(self, households: int, base: int | None = None) -> int:
        """Units a community may pair with; large communities get the raised caps."""
        cap = self.pairing_cap if base is None else base
        for step in self.pairing_cap_by_households:
            if households >= step.households_at_least:
                cap = max(cap, step.cap)
        return cap

    def walk_minutes(self, metres: float) -> float:
        """Minutes on foot for ``metres`` at the profile's walking speed."""
        return metres / self.walk_speed_m_per_min


def _duties(raw: object) -> tuple[tuple[str, int], ...]:
    """The yearly duties of a profile file, in the order of DUTY_KINDS."""
    if raw is None:
        return DEFAULT_MEMBER_DUTIES
    if not isinstance(raw, dict) or set(raw) - set(DUTY_KINDS):
        raise ValueError(f"member_duties must map some of {', '.join(DUTY_KINDS)} to counts")
    out = tuple((k, int(raw[k])) for k in DUTY_KINDS if k in raw)
    if not out or any(n < 0 for _k, n in out) or sum(n for _k, n in out) == 0:
        raise ValueError("member_duties needs at least one duty with a count above 0")
    return out


def _range(raw: object, name: str) -> tuple[int, int]:
    if not isinstance(raw, list) or len(raw) != 2 or not 0 <= int(raw[0]) <= int(raw[1]):
        raise ValueError(f"staffing.{name} must be [low, high] with 0 <= low <= high")
    return int(raw[0]), int(raw[1])


def _staffing(raw: object) -> StaffingRules:
    """The ``staffing`` block of a profile file; missing keys keep the defaults."""
    if raw is None:
        return StaffingRules()
    if not isinstance(raw, dict):
        raise ValueError("staffing must be an object")
    base = StaffingRules()
    funds = tuple(FundStep(int(s["households_at_least"]), float(s["min_yuan"]))
                  for s in raw.get("funds_by_households", [])) or base.funds
    if any(s.min_yuan < 0 or s.households_at_least < 0 for s in funds):
        raise ValueError("staffing.funds_by_households must not be negative")
    return StaffingRules(
        posts=_range(raw["posts"], "posts") if "posts" in raw else base.posts,
        social_workers=_range(raw["social_workers"], "social_workers")
        if "social_workers" in raw else base.social_workers,
        street_party_staff_min=int(raw.get("street_party_staff_min",
                                           base.street_party_staff_min)),
        funds=funds)


def _signs(raw: object) -> SignRules:
    """The ``signs`` block of a profile file; missing keys keep the defaults."""
    if raw is None:
        return SignRules()
    if not isinstance(raw, dict) or set(raw) - {"reach_m", "max_signs", "min_spacing_m",
                                                "min_from_center_m", "main_roads"}:
        raise ValueError("signs takes reach_m, max_signs, min_spacing_m, min_from_center_m "
                         "and main_roads")
    base = SignRules()
    return SignRules(
        reach_m=float(raw.get("reach_m", base.reach_m)),
        max_signs=int(raw.get("max_signs", base.max_signs)),
        min_spacing_m=float(raw.get("min_spacing_m", base.min_spacing_m)),
        min_from_center_m=float(raw.get("min_from_center_m", base.min_from_center_m)),
        main_roads=tuple(str(r) for r in raw.get("main_roads", base.main_roads)))


def available_profiles() -> list[str]:
    """Names of the built-in rule profiles.

    The folder also holds the event categories and the star rating, other kinds of profile.
    """
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json")
                  if '"facility_ratio_m2_per_100_households"' in p.read_text(encoding="utf-8"))


def load_profile(name_or_path: str | None = None) -> RuleProfile:
    """A built-in profile by name, or one from a JSON file path; the default when None."""
    key = name_or_path or DEFAULT_PROFILE
    path = Path(key) if key.endswith(".json") else PROFILE_DIR / f"{key}.json"
    if not path.is_file():
        raise ProfileError(Text("没有规则配置 %(key)r：请选择 %(names)s 之一，或给出 .json 文件",
                                key=key, names=", ".join(available_profiles())))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        low, high = raw["grid_households"]
        profile = RuleProfile(
            name=str(raw["name"]),
            title=str(raw.get("title", raw["name"])),
            title_en=str(raw.get("title_en", raw.get("title", raw["name"]))),
            facility_ratio_m2_per_100_households=float(
                raw["facility_ratio_m2_per_100_households"]),
            facility_min_m2=float(raw["facility_min_m2"]),
            center_area_by_level_m2={k: float(v)
                                     for k, v in raw["center_area_by_level_m2"].items()},
            comprehensive_center_min_m2=float(raw["comprehensive_center_min_m2"]),
            pairing_cap=int(raw["pairing_cap"]),
            pairing_cap_by_households=tuple(
                CapStep(int(s["households_at_least"]), int(s["cap"]))
                for s in raw.get("pairing_cap_by_households", [])),
            reporting_cap=int(raw["reporting_cap"]),
            walk_reach_m=tuple(float(r) for r in raw["walk_reach_m"]),
            walk_speed_m_per_min=float(raw["walk_speed_m_per_min"]),
            max_snap_m=float(raw["max_snap_m"]),
            grid_households=(int(low), int(high)),
            weak_share=float(raw["weak_share"]),
            service_radius_m=float(raw.get("service_radius_m", 20_000)),
            pairing_max_distance_m=float(raw.get("pairing_max_distance_m", 20_000)),
            member_duties=_duties(raw.get("member_duties")),
            staffing=_staffing(raw.get("staffing")),
            lists_max_distance_m=float(raw.get("lists", {}).get("max_distance_m", 5_000)),
            lists_paired_factor=float(raw.get("lists", {}).get("paired_factor", 0.5)),
            signs=_signs(raw.get("signs")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(Text("规则配置 %(path)s 格式有误：%(error)s", path=str(path),
                                error=repr(exc))) from exc
    if not 0 < profile.lists_paired_factor <= 1 or profile.lists_max_distance_m <= 0:
        raise ProfileError(Text("规则配置 %(path)s：lists.paired_factor 须在 (0, 1] 内，"
                                "lists.max_distance_m 须为正数", path=str(path)))
    if profile.walk_speed_m_per_min <= 0 or low > high or profile.pairing_cap < 1:
        raise ProfileError(Text("规则配置 %(path)s：步行速度须为正数，"
                                "网格户数范围须下限不大于上限，结对上限至少为 1", path=str(path)))
    return profile
