"""Entered counts per named kind (findings by kind, awards by level), shared by two styles.

A count entry is written as a mapping (``{缺项: 1, 不规范: 3}``) or as text
(``缺项1、不规范3``, ``缺项:1,不规范:3``); ``0`` or ``无`` means none of any kind. The parsed
value is a tuple of counts in the order the framework lists the kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from wenming.core.styles.base import InputError

MAX_COUNT = 10_000
_PART = re.compile(r"^(?P<name>.+?)\s*[::×xX*]?\s*(?P<count>\d+)\s*[处项次个]?$")
_SEPARATORS = re.compile(r"[、,,;;\n]")


def parse_counts(raw: Any, names: Sequence[str], *, what: str) -> tuple[int, ...]:
    """Read counts per name; raise InputError in Chinese naming the bad part."""
    if isinstance(raw, bool) or raw is None:
        raise InputError(f"应填写各{what}的数量,如“{names[0]}1、{names[-1]}2”")
    pairs: list[tuple[str, Any]]
    if isinstance(raw, dict):
        pairs = [(str(k).strip(), v) for k, v in raw.items()]
    else:
        text = str(raw).strip()
        if text in ("0", "无", ""):
            return (0,) * len(names)
        if len(names) == 1 and text.isdigit():
            pairs = [(names[0], text)]
        else:
            pairs = []
            for part in filter(None, (p.strip() for p in _SEPARATORS.split(text))):
                match = _PART.match(part)
                if match is None:
                    raise InputError(f"“{part}”应写成“{what}名称+数量”,如“{names[0]}1”")
                pairs.append((match["name"].strip(), match["count"]))
    counts = dict.fromkeys(names, 0)
    for name, value in pairs:
        if name not in counts:
            raise InputError(f"“{name}”不是本项的{what},可填:{'、'.join(names)}")
        counts[name] += _count(value, name)
    total = tuple(counts[n] for n in names)
    if sum(total) > MAX_COUNT:
        raise InputError(f"数量合计不能超过{MAX_COUNT}")
    return total


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InputError(f"“{name}”的数量应为非负整数")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InputError(f"“{name}”的数量应为非负整数,不能是“{value}”") from exc
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise InputError(f"“{name}”的数量应为非负整数,不能是“{value}”")
    if number > MAX_COUNT:
        raise InputError(f"“{name}”的数量不能超过{MAX_COUNT}")
    return int(number)


def render_counts(value: tuple[int, ...], names: Sequence[str]) -> str:
    """The inverse of :func:`parse_counts`, as text: ``缺项:1、不规范:3`` (or ``0``)."""
    parts = [f"{name}:{n}" for name, n in zip(names, value, strict=True) if n]
    return "、".join(parts) or "0"
