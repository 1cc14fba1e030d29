"""Showing balanced-development values as the sheet had them."""

from __future__ import annotations

from decimal import Decimal

from django import template

from wenming.balance.selectors import decimal_text

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """4.500000 → 4.5, 0.043500 → 0.0435 (the stored value, never rounded)."""
    return decimal_text(value)
