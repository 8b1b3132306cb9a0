"""The yearly star rating's scored items, with evidence, and rectification to closure."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .audit import audited
from .base import YEARS, StaleVersion, Tracked
from .hierarchy import Community
from .leaders import Leader


class StarScore(Tracked):
    """Points an evaluator gave one star of one community for a year, with the evidence."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="star_scores",
                                  verbose_name=_("社区"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEARS)
    star = models.CharField(_("星"), max_length=20)
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1,
                                 validators=[MinValueValidator(0), MaxValueValidator(10)])
    evidence = models.TextField(_("佐证材料"), max_length=2000)
    history = audited()

    class Meta:
        verbose_name = _("星级评分")
        verbose_name_plural = pgettext_lazy("plural", "星级评分")
        ordering = ["-year", "community__code", "star"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "star"],
                                    name="one_score_per_community_year_star"),
            models.CheckConstraint(condition=models.Q(points__gte=0, points__lte=10),
                                   name="star_points_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} {self.year} {self.star}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    CLOSED = "closed", _("已销号")


# The moves a rectification may make; closing needs a note of what was done.
MOVES = {RectificationStatus.OPEN: {RectificationStatus.IN_PROGRESS, RectificationStatus.CLOSED},
         RectificationStatus.IN_PROGRESS: {RectificationStatus.CLOSED}}


class Rectification(Tracked):
    """A weak community's rectification of one year: why, who leads it, and its closure."""

    community = models.ForeignKey(Community, models.CASCADE, related_name="rectifications",
                                  verbose_name=_("社区"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEARS)
    reasons = models.JSONField(_("原因"), default=list)
    status = models.CharField(_("状态"), max_length=12, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    leader = models.ForeignKey(Leader, models.SET_NULL, null=True, blank=True,
                               related_name="rectifications", verbose_name=_("挂点领导"))
    measures = models.TextField(_("整改措施"), max_length=4000, blank=True, default="")
    opened_on = models.DateField(_("列入日期"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("列入人"))
    history = audited()

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = pgettext_lazy("plural", "整改")
        ordering = ["-year", "community__code"]
        constraints = [models.UniqueConstraint(fields=["community", "year"],
                                               name="one_rectification_per_community_year")]

    def __str__(self) -> str:
        return f"{self.community.name} {self.year}"

    def advance(self, status: str, note: str, on: dt.date, based_on: int | None) -> None:
        """Move to ``status`` with a note of what was done; StaleVersion when edited since."""
        with transaction.atomic():
            current = (Rectification.objects.select_for_update()
                       .values_list("version", "status").get(pk=self.pk))
            if based_on is None or current[0] != based_on:
                raise StaleVersion(current[0], based_on)
            allowed = MOVES.get(RectificationStatus(current[1]), set())
            if status not in allowed:
                raise ValidationError(gettext("不能从“%(from)s”改为“%(to)s”") % {
                    "from": RectificationStatus(current[1]).label,
                    "to": RectificationStatus(status).label}, code="bad_move")
            if status == RectificationStatus.CLOSED and not (note.strip() or self.measures):
                raise ValidationError(gettext("销号须写明整改措施和成效"), code="note_required")
            self.status = status
            if note.strip():
                stamp = on.isoformat()
                self.measures = (f"{self.measures}\n" if self.measures else "") + \
                    f"{stamp} {note.strip()}"
            if status == RectificationStatus.CLOSED:
                self.closed_on = on
            self.version = current[0] + 1
            self.save()
