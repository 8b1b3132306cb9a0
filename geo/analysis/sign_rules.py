"""How direction signs may be placed: the rule profile's ``signs`` block (Django-free).

Apart from :mod:`geo.analysis.signs` so that reading a profile (every process does at
start-up) loads no graph library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignRules:
    """How far a center's signs may stand, how many, how far apart and from its door."""

    reach_m: float = 1_000.0
    max_signs: int = 4
    min_spacing_m: float = 150.0
    min_from_center_m: float = 30.0
    main_roads: tuple[str, ...] = ("trunk", "primary")

    def __post_init__(self) -> None:
        """Refuse rules no plan can follow."""
        if self.reach_m <= 0 or self.max_signs < 0 or self.min_spacing_m < 0:
            raise ValueError("reach_m must be positive, max_signs and min_spacing_m not "
                             "negative")
