"""``{% load titles %}``: the actions a title's page offers, from its transition table."""

from __future__ import annotations

from django import template

from wenming.titles import transitions
from wenming.titles.models import Title

register = template.Library()


@register.filter
def title_actions(title: Title) -> list[str]:
    return transitions.title_actions(title)
