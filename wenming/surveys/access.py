"""Who may see and run a questionnaire (built on the scope): offices of the campaign's region
and above."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from wenming.accounts.scope import scope_for, scoped_get
from wenming.surveys.models import Questionnaire, Response, Version, VersionState


def questionnaires_visible_to(user: User | AnonymousUser) -> QuerySet[Questionnaire]:
    scope = scope_for(user)
    return Questionnaire.objects.filter(scope.q(path="region_path", unit=None, body=None))


def questionnaire_get_for_user(user: User | AnonymousUser, pk: int) -> Questionnaire:
    return scoped_get(
        questionnaires_visible_to(user).select_related("campaign", "campaign__edition"),
        pk,
        missing="问卷不存在或无权查看",
    )


def runs_questionnaire(user: User | AnonymousUser, questionnaire: Questionnaire) -> bool:
    return scope_for(user).covers_region(questionnaire.region_path)


def responses_visible_to(user: User | AnonymousUser) -> QuerySet[Response]:
    scope = scope_for(user)
    return Response.objects.filter(
        scope.q(path="version__questionnaire__region_path", unit=None, body=None)
    )


def questionnaire_by_public_code(code: str) -> Questionnaire:
    """The public answering page's questionnaire: anyone holding its link (the code is the
    credential, like the publicity page's campaign); 404 otherwise."""
    found = Questionnaire.objects.filter(code=code[:16]).first()
    if found is None:
        raise Http404("问卷不存在")
    return found


def open_by_public_code(code: str) -> tuple[Questionnaire, Version | None]:
    """The public page's questionnaire and its open version (None when it collects nothing):
    one query while it is open; 404 when no questionnaire has the code."""
    version = (
        Version.objects.select_related("questionnaire")
        .filter(questionnaire__code=code[:16], state=VersionState.OPEN)
        .first()
    )
    if version is not None:
        return version.questionnaire, version
    return questionnaire_by_public_code(code), None
