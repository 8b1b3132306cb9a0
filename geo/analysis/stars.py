"""The "532" star rating of community party organisations and the weak list (Django-free).

Ten stars: five common (共性), three duty (职责) and two self-chosen (自选), each worth up to
10 points. A star whose item is measured takes its points from the data,

    points = 10 × clip(value / target, 0, 1),

rounded to one decimal as shown, and one whose item is scored takes the points an
evaluator gave with evidence (0–10). A measured item with no value (a community without
events has no on-time rate) falls back to the scored points when there are any, else to the
star's ``missing_points``. A star is earned at ``award_at`` points or more; the total is
the sum of points (0–100). The colour is the first level whose ``min_stars`` the earned
stars reach (gold, silver, red; none below).

The weak list (软弱涣散, for rectification) holds, separately for urban communities and for
villages, the ⌈share × n⌉ lowest totals (fewer earned stars first on equal totals, then
code); every community tied on total and stars with the last one listed is listed too, so
the list is at least the share and never splits a tie.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .text import Text

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_STARS = "stars-532"
GROUPS = ("common", "duty", "self")
GROUP_SIZES = {"common": 5, "duty": 3, "self": 2}
# Items the database can measure (geo.services.stars fills them).
MEASURES = ("staffing", "facility_ratio", "reach_share", "duties_share", "pairing_units",
            "events_on_time", "wishes_fulfilled")


@dataclass(frozen=True)
class Star:
    """One star: its group, names, and the item that gives its points."""

    key: str
    group: str
    title: str
    title_en: str
    measure: str | None = None  # None: scored by an evaluator
    target: float = 1.0  # value of the measure that earns the full 10 points
    missing_points: float = 0.0  # when the measure has no value and nobody scored it


@dataclass(frozen=True)
class Level:
    """A colour for communities with at least ``min_stars`` earned stars."""

    min_stars: int
    colour: str  # gold, silver, red


@dataclass(frozen=True)
class StarProfile:
    """The ten stars, when a star is earned, the colours and the weak list's shares."""

    name: str
    title: str
    title_en: str
    stars: tuple[Star, ...]
    award_at: float
    levels: tuple[Level, ...]
    weak_share: float
    weak_share_villages: float

    @property
    def keys(self) -> list[str]:
        """The stars' keys, in order."""
        return [s.key for s in self.stars]


class StarProfileError(ValueError):
    """A star profile is missing or malformed."""


def load_star_profile(name_or_path: str | None = None) -> StarProfile:
    """A built-in star profile by name, or one from a JSON file path; the default when None."""
    key = name_or_path or DEFAULT_STARS
    path = Path(key) if key.endswith(".json") else PROFILE_DIR / f"{key}.json"
    if not path.is_file():
        raise StarProfileError(Text("没有星级评定配置 %(key)r", key=key))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        stars = tuple(Star(key=str(s["key"]), group=str(s["group"]), title=str(s["title"]),
                           title_en=str(s.get("title_en", s["title"])),
                           measure=s.get("measure"), target=float(s.get("target", 1.0)),
                           missing_points=float(s.get("missing_points", 0.0)))
                      for s in raw["stars"])
        profile = StarProfile(
            name=str(raw["name"]), title=str(raw.get("title", raw["name"])),
            title_en=str(raw.get("title_en", raw.get("title", raw["name"]))), stars=stars,
            award_at=float(raw.get("award_at", 8)),
            levels=tuple(sorted((Level(int(v["min_stars"]), str(v["colour"]))
                                 for v in raw["levels"]), key=lambda v: -v.min_stars)),
            weak_share=float(raw.get("weak_share", 0.05)),
            weak_share_villages=float(raw.get("weak_share_villages", 0.10)))
    except (KeyError, TypeError, ValueError) as exc:
        raise StarProfileError(Text("星级评定配置 %(path)s 格式有误：%(error)s",
                                    path=str(path), error=repr(exc))) from exc
    _check(profile, path)
    return profile


def _check(p: StarProfile, path: Path) -> None:
    counts = {g: sum(1 for s in p.stars if s.group == g) for g in GROUPS}
    problems = []
    if counts != GROUP_SIZES or len(p.stars) != 10:
        problems.append(f"stars per group must be {GROUP_SIZES}, got {counts}")
    if len({s.key for s in p.stars}) != len(p.stars):
        problems.append("star keys must differ")
    for s in p.stars:
        if s.measure is not None and s.measure not in MEASURES:
            problems.append(f"{s.key}: unknown measure {s.measure!r} (one of {MEASURES})")
        if s.target <= 0 or not 0 <= s.missing_points <= 10:
            problems.append(f"{s.key}: target must be > 0 and missing_points in [0, 10]")
    if not 0 < p.award_at <= 10 or not 0 < p.weak_share <= 1 or not 0 < p.weak_share_villages <= 1:
        problems.append("award_at must be in (0, 10] and the weak shares in (0, 1]")
    if problems:
        raise StarProfileError(Text("星级评定配置 %(path)s 有误：%(error)s", path=str(path),
                                    error="; ".join(problems)))


@dataclass(frozen=True)
class StarResult:
    """Per community (rows) and star (columns, in the profile's order)."""

    points: npt.NDArray[np.float64]
    source: npt.NDArray[np.str_]  # "measured", "scored" or "missing"
    earned: npt.NDArray[np.bool_]
    stars: npt.NDArray[np.int64]
    total: npt.NDArray[np.float64]
    colour: list[str | None]


def star_points(measures: Mapping[str, npt.ArrayLike], scored: npt.ArrayLike,
                profile: StarProfile) -> StarResult:
    """Points of every star of every community (see the module docstring).

    Parameters
    ----------
    measures : measure name -> (C,) value per community, NaN where there is none
    scored : (C, 10) points an evaluator gave, NaN where nobody scored
    profile : the star profile
    """
    given = np.asarray(scored, dtype=np.float64)
    n = given.shape[0]
    if given.shape != (n, len(profile.stars)):
        raise ValueError(f"scored must be (C, {len(profile.stars)}), got {given.shape}")
    if np.nanmin(given, initial=0) < 0 or np.nanmax(given, initial=0) > 10:
        raise ValueError("scored points must lie in [0, 10]")
    points = np.zeros(given.shape)
    source = np.full(given.shape, "missing", dtype="<U8")
    for j, star in enumerate(profile.stars):
        have_score = ~np.isnan(given[:, j])
        if star.measure is not None:
            value = np.asarray(measures.get(star.measure, np.full(n, np.nan)),
                               dtype=np.float64)
            if value.shape != (n,):
                raise ValueError(f"measure {star.measure} must be ({n},), got {value.shape}")
            measured = ~np.isnan(value)
            points[measured, j] = 10 * np.clip(value[measured] / star.target, 0, 1)
            source[measured, j] = "measured"
            use_score = ~measured & have_score
        else:
            measured = np.zeros(n, dtype=bool)
            use_score = have_score
        points[use_score, j] = given[use_score, j]
        source[use_score, j] = "scored"
        rest = ~measured & ~use_score
        points[rest, j] = star.missing_points
    # Points are shown to one decimal: the star and the total follow what is shown (7.96
    # reads 8.0, and a reader would rightly ask why 8.0 earned no star).
    points = np.round(points, 1)
    earned = points >= profile.award_at - 1e-9
    stars = earned.sum(axis=1).astype(np.int64)
    colour = [next((lv.colour for lv in profile.levels if k >= lv.min_stars), None)
              for k in stars]
    return StarResult(points=points, source=source, earned=earned, stars=stars,
                      total=points.sum(axis=1), colour=colour)


def weak_count(n: int, share: float) -> int:
    """⌈share × n⌉ (at least one when there is any), robust to float noise."""
    return 0 if n == 0 else max(1, math.ceil(round(share * n, 9)))


def weak_list(total: npt.ArrayLike, stars: npt.ArrayLike, codes: Sequence[str],
              village: npt.ArrayLike, profile: StarProfile) -> list[int]:
    """Row indices of the weak list, weakest first (see the module docstring)."""
    t = np.round(np.asarray(total, dtype=np.float64), 6)
    k = np.asarray(stars, dtype=np.int64)
    v = np.asarray(village, dtype=bool)
    out: list[int] = []
    for is_village, share in ((False, profile.weak_share), (True, profile.weak_share_villages)):
        rows = [i for i in range(len(codes)) if v[i] == is_village]
        rows.sort(key=lambda i: (t[i], k[i], codes[i]))
        take = weak_count(len(rows), share)
        if take == 0:
            continue
        last = rows[take - 1]
        out += [i for i in rows if (t[i], k[i]) <= (t[last], k[last])]
    return sorted(out, key=lambda i: (t[i], k[i], codes[i]))
