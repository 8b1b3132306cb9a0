"""The sheets without geometry one can import, with the permission each needs."""

from __future__ import annotations

from collections.abc import Callable

from .activities import import_activities
from .lists import import_needs, import_resources, import_signs
from .organisation import import_leader_links, import_staffing, import_wishes
from .tabular import SheetImport

# kind: (importer, the permission an importing user needs)
SHEETS: dict[str, tuple[Callable[..., SheetImport], str]] = {
    "activities": (import_activities, "geo.add_memberactivity"),
    "staffing": (import_staffing, "geo.add_communitystaffing"),
    "leaders": (import_leader_links, "geo.add_leaderlink"),
    "wishes": (import_wishes, "geo.add_wish"),
    "needs": (import_needs, "geo.add_need"),
    "resources": (import_resources, "geo.add_resource"),
    "signs": (import_signs, "geo.add_directionsign"),
}
