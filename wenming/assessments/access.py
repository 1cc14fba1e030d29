"""Who may do what with a self-assessment; every view fetches through these helpers."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, scoped_get, units_visible_to
from wenming.assessments.models import SelfAssessment


def assessments_visible_to(user: User | AnonymousUser) -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.filter(unit__in=units_visible_to(user).values("pk"))


def assessment_get_for_user(user: User | AnonymousUser, pk: int) -> SelfAssessment:
    return scoped_get(
        assessments_visible_to(user).select_related(
            "unit", "unit__unit_type", "unit__region", "edition", "created_by", "submitted_by"
        ),
        pk,
        missing="自评不存在或无权查看",
    )


def can_fill(user: User | AnonymousUser, unit_id: int) -> bool:
    scope = scope_for(user)
    return scope.holds(Role.UNIT_FILLER, unit_id) or scope.holds(Role.UNIT_ADMIN, unit_id)


def can_submit(user: User | AnonymousUser, unit_id: int) -> bool:
    return scope_for(user).holds(Role.UNIT_ADMIN, unit_id)


def can_return(user: User | AnonymousUser, assessment: SelfAssessment) -> bool:
    """The supervising body's reviewer or an office over the unit's region may send it back."""
    return scope_for(user).supervises(assessment.unit)
