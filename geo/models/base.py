"""Shared fields: provenance and edit versioning."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geo.analysis.codes import CodeError, check_code

SRID = 4326
# Years a programme's yearly rows (staffing, stars, lists) may be filed under.
YEARS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Origin(models.TextChoices):
    """Where a row came from."""

    IMPORTED = "imported", _("导入")
    MANUAL = "manual", _("手工")
    GENERATED = "generated", _("生成（演示）")
    DERIVED = "derived", _("推导（演示）")


class StaleVersion(Exception):
    """A save based on an old version: someone else saved first."""

    def __init__(self, current: int, based_on: int | None) -> None:
        super().__init__(gettext("当前版本 %(current)s，您编辑的是版本 %(based_on)s") % {
            "current": current, "based_on": based_on})
        self.current = current
        self.based_on = based_on


class Tracked(models.Model):
    """Provenance, timestamps and an edit version for optimistic locking."""

    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices,
                              default=Origin.MANUAL)
    source = models.CharField(_("数据源"), max_length=200, blank=True, default="",
                              db_index=True)
    created_at = models.DateTimeField(_("创建"), auto_now_add=True)
    # Indexed: the OGC API filters features by it (datetime=…).
    updated_at = models.DateTimeField(_("更新"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        abstract = True

    def save_if_current(self, based_on: int | None) -> None:
        """Save as the next version, or raise StaleVersion when another save came first."""
        if self.pk is None:
            self.save()
            return
        with transaction.atomic():
            current = (type(self)._default_manager.select_for_update()
                       .values_list("version", flat=True).get(pk=self.pk))
            if based_on is None or current != based_on:
                raise StaleVersion(current, based_on)
            self.version = current + 1
            self.save()


def validate_level_code(level: str, value: str, parent_code: str | None) -> None:
    """Raise Django's ValidationError for a malformed code."""
    try:
        check_code(level, value, parent_code)
    except CodeError as exc:
        raise ValidationError({"code": ValidationError(exc.message.render(gettext),
                                                       code=exc.code)}) from exc


def code_check(level: str, n: int) -> models.CheckConstraint:
    """Database check that ``code`` has exactly ``n`` digits."""
    return models.CheckConstraint(
        condition=models.Q(code__regex=rf"^[0-9]{{{n}}}$"), name=f"{level}_code_{n}_digits"
    )


def non_negative(field: str, model: str) -> models.CheckConstraint:
    """Database check that ``field`` is not negative."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0}), name=f"{model}_{field}_non_negative"
    )


def unique_code(model: str) -> models.UniqueConstraint:
    """Unique external ``code`` where one is given (blank codes may repeat)."""
    return models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""),
                                   name=f"{model}_code_unique")
