from __future__ import annotations

from decimal import Decimal

from django import template

from wenming.audit.models import AuditEvent
from wenming.audit.services import ACTION_LABELS, field_label
from wenming.core.points import fmt, fmt_decimal

register = template.Library()


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
