from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from wenming.audit.models import AuditEvent
from wenming.audit.services import ACTION_LABELS, field_label
from wenming.core.points import fmt, fmt_decimal

register = template.Library()


# stand-ins for the ids in a reversed pattern: no real id is this large, no path holds them
_STAND_INS = tuple(str(9_007_199_254_740_000 + i) for i in range(4))


@cache
def _id_pattern(name: str, count: int) -> tuple[str, ...]:
    """The path of ``name`` split around ``count`` id arguments, reversed once per process."""
    path = reverse(name, args=_STAND_INS[:count])
    parts: list[str] = []
    for stand_in in _STAND_INS[:count]:
        before, _, path = path.partition(stand_in)
        parts.append(before)
    return (*parts, path)


@register.simple_tag
def id_url(name: str, *ids: int) -> str:
    """``{% id_url 'units:detail' u.pk %}``: the same path as ``{% url %}`` for id arguments,
    without resolving the pattern again on every row of a list (that costs as much as a query
    per row). Anything but integer ids goes through ``reverse`` as usual."""
    if not all(type(i) is int for i in ids) or len(ids) > len(_STAND_INS):
        return reverse(name, args=ids)
    parts = _id_pattern(name, len(ids))
    out = [parts[0]]
    for value, rest in zip(ids, parts[1:], strict=True):
        out += (str(value), rest)
    return "".join(out)


@register.simple_tag
def options(
    choices: Iterable[tuple[object, object]] | Mapping[object, object], selected: object
) -> str:
    """``<option>`` elements of a filter's select, ``selected`` marked: one Python loop instead
    of a template loop with a comparison per option (the audit page has a hundred actions).
    Values compare as text, so a query parameter string matches an integer id."""
    pairs = choices.items() if isinstance(choices, Mapping) else choices
    chosen = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == chosen else "", label) for value, label in pairs),
    )


@register.filter
def clip(value: object, limit: int = 60) -> str:
    """At most ``limit`` characters, an ellipsis when cut: ``truncatechars`` for plain text,
    without its per-character scan (a hundred rows of old and new values per audit page)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@register.filter
def stamp(value: datetime | None) -> str:
    """A moment in local time as ``2026-05-01 09:30:00`` (``date:"Y-m-d H:i:s"``, cheaper)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


@register.filter
def pts(value: Decimal | int | None) -> str:
    """Points as score sheets print them: 100.00 → 100, 899.50 → 899.5; empty as —."""
    if value is None or value == "":
        return "—"
    return fmt_decimal(Decimal(value))


@register.filter
def centi(value: int | None) -> str:
    """Hundredths of a point as printed: 89950 → 899.5."""
    return "—" if value is None else fmt(int(value))


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def event_field(event: AuditEvent) -> str:
    """The field an audit event changed, named in Chinese."""
    return field_label(event.object_type, event.field)
