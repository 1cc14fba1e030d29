from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.scope import path_prefix_q, scope_for
from wenming.organizations.models import Unit
from wenming.titles.models import Title


def titles_visible_to(user: User | AnonymousUser) -> QuerySet[Title]:
    scope = scope_for(user)
    if scope.is_admin:
        return Title.objects.all()
    q = Q(pk__in=[])
    for path in scope.region_paths:
        q |= path_prefix_q("region_path", path)
    if scope.supervised_by:
        q |= Q(unit__supervisor_id__in=scope.supervised_by)
    if scope.own_units:
        q |= Q(unit_id__in=scope.own_units)
    return Title.objects.filter(q)


def offices_over(user: User | AnonymousUser, unit: Unit) -> bool:
    """An administrator or an office whose region covers the unit (manages its titles' records
    on the unit page: re-checks, events against a holder)."""
    scope = scope_for(user)
    return scope.is_admin or any(unit.region_path.startswith(p) for p in scope.region_paths)


def can_manage(user: User | AnonymousUser, title: Title) -> bool:
    """An office of the naming authority's region or above."""
    scope = scope_for(user)
    return scope.is_admin or any(
        title.naming_authority.path.startswith(path) for path in scope.region_paths
    )
