"""Whose job results a person may fetch: their own, and only while they may still see the
unit the job was about (built on the scope)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.scope import scope_for, scoped_get
from wenming.jobs.models import Job


def jobs_visible_to(user: User | AnonymousUser) -> QuerySet[Job]:
    """The person's own jobs; a job about a unit only while the unit is in their scope (a
    person moved off a unit no longer downloads the binder they started there)."""
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner_id=user.pk).filter(
        Q(unit__isnull=True) | scope_for(user).via_unit_q()
    )


def job_get_for_user(user: User | AnonymousUser, pk: int) -> Job:
    """The job if it is the person's own (see :func:`jobs_visible_to`); otherwise 404."""
    return scoped_get(jobs_visible_to(user), pk, missing="任务不存在")
