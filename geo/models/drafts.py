"""Grid proposals kept for a planner to open in the editor (never the grids themselves)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .hierarchy import Community


class ProposalDraft(models.Model):
    """A proposal saved by ``propose_grids --save-as-draft``: opened, adjusted, then saved."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="grid_drafts",
                                  verbose_name=_("社区"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             verbose_name=_("用户"))
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    grids = models.JSONField(_("网格"), help_text=_("[{geometry, households, zone_type}]，"
                                                  "WGS84 GeoJSON"))

    class Meta:
        verbose_name = _("网格划分草稿")
        verbose_name_plural = pgettext_lazy("plural", "网格划分草稿")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.community_id} #{self.pk}"
