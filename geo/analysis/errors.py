"""The algorithms' exceptions, in a module that imports nothing heavy (Django-free).

The services map them to answers (``geo.services.errors``) at start-up; keeping them apart
from the solvers lets a command or a web worker start without loading scipy, OR-Tools,
shapely or pyproj until an algorithm actually runs.
"""

from __future__ import annotations

from .text import Text


class NetworkError(ValueError):
    """The network cannot be built or a point cannot be placed on it."""


class PairingInfeasible(ValueError):
    """The constraints cannot all hold; ``reasons`` say why, with numbers."""

    def __init__(self, reasons: list[Text]) -> None:
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


class GridEditError(ValueError):
    """An edit that cannot be carried out, with a code and a message a planner can act on."""

    def __init__(self, code: str, message: Text | str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
