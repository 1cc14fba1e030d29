"""Who may see and do what in the material review (built on the scope and campaigns' access)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.models import UNIT_ROLES
from wenming.accounts.scope import scope_for, scoped_get
from wenming.campaigns.access import applications_visible_to, can_act_on_step, runs_campaign
from wenming.campaigns.models import Application, State
from wenming.review.models import Check, ReviewedText, TextKind


def checks_visible_to(user: User | AnonymousUser) -> QuerySet[Check]:
    """Checks of the applications the person may see (the same rule as the applications)."""
    return Check.objects.filter(
        scope_for(user).q(path="region_path", unit="unit_id", body="application__supervisor_id")
    )


def application_for_review(user: User | AnonymousUser, pk: int) -> Application:
    """The application if the person may see it; otherwise 404."""
    return scoped_get(
        applications_visible_to(user).select_related("campaign", "campaign__region", "unit"),
        pk,
        missing="申报不存在或无权查看",
    )


def may_give_verdict(user: User, application: Application) -> bool:
    """The reviewer of the step the application waits on (or the office running it)."""
    if application.state != State.IN_REVIEW:
        return False
    step = application.campaign.step(application.step)
    return step is not None and can_act_on_step(user, application, step)


def may_start_check(user: User, application: Application) -> bool:
    """The unit's own people before submitting; reviewers and the office afterwards."""
    if application.state in (State.PREPARING, State.RETURNED):
        return may_upload_reports(user, application)
    return may_give_verdict(user, application) or runs_campaign(user, application.campaign)


def may_upload_reports(user: User | AnonymousUser, application: Application) -> bool:
    """The unit's own people, while the application is being prepared or was returned."""
    if application.state not in (State.PREPARING, State.RETURNED):
        return False
    scope = scope_for(user)
    return any(scope.holds(role, application.unit_id) for role in UNIT_ROLES)


def may_manage_library(user: User | AnonymousUser) -> bool:
    scope = scope_for(user)
    return scope.is_admin or bool(scope.offices)


def readable_texts(user: User | AnonymousUser, texts: Iterable[ReviewedText]) -> set[int]:
    """Ids of the texts whose passages the person may read: the library, and the texts
    (reports, uploaded files, 说明 texts) of applications the person may see (a unit never
    reads another unit's text)."""
    texts = list(texts)
    wanted = {t.application_id for t in texts if t.kind != TextKind.LIBRARY and t.application_id}
    visible = set(applications_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    return {t.pk for t in texts if t.kind == TextKind.LIBRARY or t.application_id in visible}
