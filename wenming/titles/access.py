"""Who may see and manage titles (文明称号): built on the scope."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.scope import scope_for
from wenming.organizations.models import Unit
from wenming.titles.models import Title


def titles_visible_to(user: User | AnonymousUser) -> QuerySet[Title]:
    return Title.objects.filter(
        scope_for(user).q(path="region_path", unit="unit_id", body="unit__supervisor_id")
    )


def offices_over(user: User | AnonymousUser, unit: Unit) -> bool:
    """An administrator or an office whose region covers the unit (manages its titles' records
    on the unit page: re-checks, events against a holder)."""
    return scope_for(user).covers(unit)


def can_manage(user: User | AnonymousUser, title: Title) -> bool:
    """An office of the naming authority's region or above."""
    return scope_for(user).covers_region(title.naming_authority)
