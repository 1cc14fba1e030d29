"""Who may see a unit's ledger rows (台账): whoever may see the unit (built on the scope)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.scope import scope_for, scoped_get
from wenming.ledger.models import Activity, ActivityIndicator, IndicatorAssignment


def activities_visible_to(user: User | AnonymousUser) -> QuerySet[Activity]:
    return Activity.objects.filter(scope_for(user).via_unit_q())


def activity_get_for_user(user: User | AnonymousUser, pk: int) -> Activity:
    return scoped_get(
        activities_visible_to(user).select_related(
            "unit", "unit__unit_type", "activity_type", "department", "created_by"
        ),
        pk,
        missing="记录不存在或无权查看",
    )


def activity_links_visible_to(user: User | AnonymousUser) -> QuerySet[ActivityIndicator]:
    """The links from activities to indicators, of the units the person may see."""
    return ActivityIndicator.objects.filter(scope_for(user).via_unit_q())


def indicator_assignments_visible_to(
    user: User | AnonymousUser,
) -> QuerySet[IndicatorAssignment]:
    """Who fills which indicator (指标分工), of the units the person may see."""
    return IndicatorAssignment.objects.filter(scope_for(user).via_unit_q())
