"""Properties as a person reads them on the HTML pages: labels, choice names, local times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from geo.models import CenterService, UnitType

from .collections import BOOLEAN, DATETIME, Collection

# Properties that are not a field of the collection's own model.
LABELS = {
    "district_code": pgettext_lazy("ogc", "区县代码"),
    "street_code": pgettext_lazy("ogc", "街道代码"),
    "community_code": pgettext_lazy("ogc", "社区代码"),
    "community_name": pgettext_lazy("ogc", "社区"),
    "compound_id": pgettext_lazy("ogc", "小区编号"),
    "unit_id": pgettext_lazy("ogc", "共建单位编号"),
    "unit_name": pgettext_lazy("ogc", "共建单位"),
    "unit_type": pgettext_lazy("ogc", "单位类型"),
}


def _field(c: Collection, name: str) -> Any:
    model = apps.get_model("geo", c.model)
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def label(c: Collection, name: str) -> str:
    """The property's name for people, in the active language."""
    if name in LABELS:
        return str(LABELS[name])
    field = _field(c, name)
    return str(field.verbose_name) if field is not None else name


def value(c: Collection, name: str, raw: Any) -> str:
    """A property's value for people: choice names, 是/否, Beijing time."""
    if raw is None or raw == "":
        return ""
    kind = c.properties.get(name)
    if kind == BOOLEAN:
        return _("是") if raw else _("否")
    if kind == DATETIME:
        moment = dt.datetime.fromisoformat(str(raw))
        return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))
    field = _field(c, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if name == "unit_type":  # the pairing's unit's type, not a field of Pairing
        return str(dict(UnitType.choices).get(raw, raw))
    if name == "services":
        names = dict(CenterService.choices)
        return _("、").join(str(names.get(s, s)) for s in str(raw).split(";") if s)
    return str(raw)


def table(c: Collection, features: list[dict[str, Any]]) -> tuple[list[str], list[Any]]:
    """Column headings and, per feature, its id and the displayed values."""
    names = list(c.properties)
    rows = [(f["id"], [value(c, n, f["properties"].get(n)) for n in names]) for f in features]
    return [label(c, n) for n in names], rows


def fields(c: Collection, feature: dict[str, Any]) -> list[tuple[str, str]]:
    """One feature's (label, value) pairs."""
    return [(label(c, n), value(c, n, feature["properties"].get(n))) for n in c.properties]
