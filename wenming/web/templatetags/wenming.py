from __future__ import annotations

from decimal import Decimal

from django import template

from wenming.core.points import fmt_decimal

register = template.Library()


@register.filter
def pts(value: Decimal | int | None) -> str:
    """Points as score sheets print them: 100.00 → 100, 899.50 → 899.5; empty as —."""
    if value is None or value == "":
        return "—"
    return fmt_decimal(Decimal(value))
