"""Masking members' personal data (names, phones, ID numbers) for those who need not see it."""

from __future__ import annotations

PERSONAL_FIELDS = ("name", "phone", "id_number")


def mask(value: str) -> str:
    """Keep the first 3 and last 4 characters: 138****1234, 510104********1234."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Keep the surname (first character): 张**; a one-character name becomes *."""
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1)


def masked(field: str, value: str) -> str:
    """``value`` of a personal field, masked; other fields unchanged."""
    if not value or field not in PERSONAL_FIELDS:
        return value
    return mask_name(value) if field == "name" else mask(value)
