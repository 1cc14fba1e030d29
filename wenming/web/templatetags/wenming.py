from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

from wenming.audit.models import AuditEvent
from wenming.audit.services import ACTION_LABELS, field_label
from wenming.core.points import fmt_decimal
from wenming.web.rows import centi, clip, esc, id_url, stamp

register = template.Library()


register.simple_tag(id_url)
register.filter(clip)
register.filter(stamp)
register.filter(centi)


@register.simple_tag
def options(
    choices: Iterable[tuple[object, object]] | Mapping[object, object], selected: object
) -> str:
    """``<option>`` elements of a filter's select, ``selected`` marked: one Python loop instead
    of a template loop with a comparison per option (the audit page has a hundred actions).
    Values compare as text, so a query parameter string matches an integer id."""
    pairs = choices.items() if isinstance(choices, Mapping) else choices
    chosen = "" if selected is None else str(selected)
    return mark_safe(  # every value and label escaped by esc, as format_html would
        "".join(
            f'<option value="{esc(value)}"{" selected" if str(value) == chosen else ""}>'
            f"{esc(label)}</option>"
            for value, label in pairs
        )
    )


@register.filter
def pts(value: Decimal | int | None) -> str:
    """Points as score sheets print them: 100.00 → 100, 899.50 → 899.5; empty as —."""
    if value is None or value == "":
        return "—"
    return fmt_decimal(Decimal(value))


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def event_field(event: AuditEvent) -> str:
    """The field an audit event changed, named in Chinese."""
    return field_label(event.object_type, event.field)
