"""Parse one cell into a target's type (Django-free).

Real sheets write ``1,234户``, ``320.5㎡``, ``是/否``, ``2024/3/1`` and Excel
floats (``510104001.0``); each parser accepts those and otherwise says what it
expected, in a message a data steward can act on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from geo.analysis.cells import revived

from .fields import CHOICES, Target, column_label

TRUE = {"1", "true", "t", "yes", "y", "是", "有", "√", "✓", "对"}
FALSE = {"0", "false", "f", "no", "n", "否", "无", "×", "不", "非"}
_NUMBER = re.compile(r"^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?$")


class ValueProblem(ValueError):
    """The cell cannot become the target's value; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# 5.10199E+11: how Excel displays (and saves to CSV) a 12-digit code typed as a number.
E_NOTATION = re.compile(r"^[0-9](\.[0-9]+)?[Ee]\+?[0-9]+$")


def is_blank(raw: Any) -> bool:
    """True for None, NaN and whitespace-only text."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def as_text(raw: Any) -> str:
    """Text of a cell; Excel turns codes into floats (``510104001.0``), undo that."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()
    return revived(str(raw).strip())


def _number(target: Target, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueProblem("not_a_number", _("%(column)s：%(value)r 不是数字") % {
            "column": column_label(target), "value": raw})
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = as_text(raw).replace(",", "").replace("，", "")
        text = re.sub(r"[^\d.eE+\-]+$", "", text)  # trailing units: 户, ㎡, m2, 人
        if not _NUMBER.match(text):
            raise ValueProblem("not_a_number", _("%(column)s：%(value)r 不是数字") % {
                "column": column_label(target), "value": as_text(raw)})
        value = float(text)
    if not math.isfinite(value):
        raise ValueProblem("not_a_number", _("%(column)s：%(value)r 不是有限的数") % {
            "column": column_label(target), "value": raw})
    if target.minimum is not None and value < target.minimum:
        raise ValueProblem("out_of_range", _("%(column)s：%(value)s 小于最小值 %(limit)s") % {
            "column": column_label(target), "value": _fmt(value), "limit": _fmt(target.minimum)})
    if target.maximum is not None and value > target.maximum:
        raise ValueProblem("out_of_range", _("%(column)s：%(value)s 大于最大值 %(limit)s") % {
            "column": column_label(target), "value": _fmt(value), "limit": _fmt(target.maximum)})
    return value


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def _choice(target: Target, text: str) -> str:
    table = CHOICES[target.choices or ""]
    low = text.lower()
    if low in table:
        return low
    for value, labels in table.items():
        if text in labels:
            return value
    # Category paths such as 科教文化服务;学校;中学: the most specific known word wins.
    for part in reversed(re.split(r"[;；|/,，]", text)):
        for value, labels in table.items():
            if any(label in part for label in labels):
                return value
    allowed = _("；").join(f"{v} ({'/'.join(ls[:2])})" for v, ls in table.items())
    raise ValueProblem("bad_choice", _("%(column)s：%(value)r 不在可选值中：%(allowed)s")
                       % {
        "column": column_label(target), "value": text, "allowed": allowed})


def _workers(text: str) -> list[dict[str, str]]:
    """``张三:13800000000;李四`` or a JSON list → ``[{"name", "phone"}]``."""
    if text.startswith("["):
        data = json.loads(text)
        return [{"name": str(w.get("name", "")), "phone": str(w.get("phone", ""))}
                for w in data if isinstance(w, dict)]
    out = []
    for part in re.split(r"[;；、,，]", text):
        name, _sep, phone = part.strip().partition(":")
        if not name and ":" not in part:
            continue
        if "：" in name:
            name, _sep, phone = name.partition("：")
        out.append({"name": name.strip(), "phone": phone.strip()})
    return out


def _int(target: Target, raw: Any) -> int:
    value = _number(target, raw)
    if not value.is_integer():
        raise ValueProblem("not_an_integer", _("%(column)s：%(value)r 不是整数") % {
            "column": column_label(target), "value": as_text(raw)})
    return int(value)


def _text(target: Target, raw: Any) -> str:
    text = as_text(raw)
    if (target.name == "code" or target.name.endswith("_code")) and E_NOTATION.match(text):
        raise ValueProblem("code_in_e_notation", _(
            "%(column)s %(value)s 是科学计数法的数字：Excel 这样显示长代码，"
            "另存为 CSV 时会丢掉末几位。"
            "请把该列设为文本（设置单元格格式 → 文本）后重新保存文件") % {
                "column": column_label(target), "value": text})
    if len(text) > target.max_length:
        raise ValueProblem("too_long", _("%(column)s：%(n)s 个字符，最多 %(max)s 个") % {
            "column": column_label(target), "n": len(text), "max": target.max_length})
    return text


def _bool(target: Target, raw: Any) -> bool:
    low = as_text(raw).lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise ValueProblem("not_a_boolean", _("%(column)s：%(value)r 不是“是/否”") % {
        "column": column_label(target), "value": as_text(raw)})


def _list(target: Target, raw: Any) -> list[str]:
    text = as_text(raw)
    if text.startswith("["):
        items = [str(x) for x in json.loads(text)]
    else:
        items = [p.strip() for p in re.split(r"[;；、,，|]", text) if p.strip()]
    return list(dict.fromkeys(_choice(target, item) for item in items))


def _worker_list(target: Target, raw: Any) -> Any:
    try:
        return _workers(as_text(raw))
    except (ValueError, AttributeError) as exc:
        raise ValueProblem("bad_workers", _("%(column)s：无法读取网格员名单（%(error)s）") % {
            "column": column_label(target), "error": exc}) from exc


def _date(target: Target, raw: Any) -> dt.date:
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.date() if isinstance(raw, dt.datetime) else raw
    text = as_text(raw)
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$", text)
    if not m:
        raise ValueProblem("not_a_date", _("%(column)s：%(value)r 不是日期（请写作 2024-03-01）")
                           % {"column": column_label(target), "value": text})
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueProblem("not_a_date", _("%(column)s：%(value)r 不是有效日期") % {
            "column": column_label(target), "value": text}) from exc


# One parser per field kind; each raises ValueProblem with a code and a message.
PARSERS: dict[str, Callable[[Target, Any], Any]] = {
    "int": _int, "float": _number, "text": _text, "bool": _bool,
    "choice": lambda target, raw: _choice(target, as_text(raw)),
    "list": _list, "workers": _worker_list, "date": _date,
}


def parse(target: Target, raw: Any) -> Any:
    """Value of ``raw`` for ``target``; ``None`` when blank. Raise :class:`ValueProblem`."""
    if is_blank(raw):
        if target.required:
            raise ValueProblem("required", _("%(column)s（%(name)s）为必填项") % {
                "column": column_label(target), "name": target.name})
        return None
    return PARSERS[target.kind](target, raw)
