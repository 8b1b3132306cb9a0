"""Signals the ground floor sends, for the floors above to act on.

Bulk writers (imports, the demo, restores, saved pairings) bypass per-row model signals;
they send :data:`data_changed` once instead, naming the layers they touched (``None``:
all). ``tiles`` listens and clears those cached tiles; the writers do not know it exists.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``layers``: a tuple of tile layer names, or None for every layer.
data_changed = Signal()


def announce(*layers: str) -> None:
    """Say that rows of ``layers`` (none given: any layer) changed in bulk."""
    data_changed.send(sender=None, layers=layers or None)
