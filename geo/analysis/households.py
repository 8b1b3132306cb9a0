"""Households estimated from OSM footprints and levels (Django-free).

OSM has no household counts. A residential building holds

    households = round(footprint_m2 × levels × usable_ratio / m2_per_household)

with ``default_levels`` where ``building:levels`` is missing; a residential area
without mapped residential buildings holds ``area × residential_far ×
usable_ratio / m2_per_household``. Defaults: 90 m² of floor area per household
(a typical urban flat's gross area), 80% of gross floor area usable as dwellings,
6 levels (the common walk-up), floor-area ratio 1.8 for unmapped residential areas.
Every such count is marked estimated; counts a data steward imports always win.
"""

from __future__ import annotations

from dataclasses import dataclass

RESIDENTIAL_BUILDINGS = {"residential", "apartments", "house", "dormitory", "detached",
                         "terrace", "semidetached_house"}
# OSM amenity/office values that can be co-building units, and their unit type.
UNIT_TYPES = {
    "school": "institution", "kindergarten": "institution", "hospital": "institution",
    "clinic": "institution", "university": "university", "college": "university",
    "townhall": "organ", "police": "organ", "courthouse": "organ", "government": "organ",
    "company": "private", "ngo": "social", "association": "social",
    "social_facility": "social", "community_centre": "social",
}


@dataclass(frozen=True)
class HouseholdModel:
    """How households are estimated where OSM has no counts.

    A residential building holds ``footprint x levels x usable_ratio /
    m2_per_household`` households, with ``default_levels`` when untagged. A
    residential area without mapped residential buildings holds ``area x
    residential_far x usable_ratio / m2_per_household``.
    """

    m2_per_household: float = 90.0
    default_levels: int = 6
    usable_ratio: float = 0.8
    residential_far: float = 1.8
    # Storey height used to turn a building's height (m) into levels.
    metres_per_level: float = 3.0

    def building(self, footprint_m2: float, levels: int | None) -> int:
        """Households of a residential building (``default_levels`` when levels unknown)."""
        return round(footprint_m2 * (levels or self.default_levels) * self.usable_ratio
                     / self.m2_per_household)

    def levels_from_height(self, height_m: float) -> int:
        """Levels of a building ``height_m`` metres tall (at least 1)."""
        return max(1, round(height_m / self.metres_per_level))


def levels(raw: object, default: int) -> int:
    """Levels from an OSM ``building:levels`` tag, else ``default`` (1–120 accepted)."""
    try:
        value = int(float(str(raw)))
    except (TypeError, ValueError):
        return default
    return value if 1 <= value <= 120 else default
