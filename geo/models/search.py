"""Spellings of place names for search by sound, pinyin and initials (a derived cache)."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NameSpelling(models.Model):
    """One name's toneless pinyin and initials (geo.analysis.pinyin.spell).

    Keyed by the name itself, not by a row: many compounds share a name, and a renamed
    place simply gets its new name spelt. Rows are derived and may be dropped at any time;
    search fills in the names it lacks.
    """

    name = models.CharField(_("名称"), max_length=200, unique=True)
    pinyin = models.CharField(_("拼音"), max_length=800)
    initials = models.CharField(_("首字母"), max_length=200)

    class Meta:
        verbose_name = _("名称拼音")
        verbose_name_plural = pgettext_lazy("plural", "名称拼音")
        indexes = [
            GinIndex(name="spelling_pinyin_trgm", fields=["pinyin"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="spelling_initials_trgm", fields=["initials"],
                     opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pinyin})"
