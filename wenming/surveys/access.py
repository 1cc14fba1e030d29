"""Who may see and run a questionnaire (built on the scope): offices of the campaign's region
and above."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from wenming.accounts.scope import scope_for, scoped_get
from wenming.surveys.models import Questionnaire, Response, Target, Version, VersionState
from wenming.web.db.prepared import PreparedObjects


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


# The public answering page reads these on every request (5,000 answers a minute, issue 18):
# their SQL is written once per process (wenming.web.db.prepared)
_OPEN_VERSION = PreparedObjects(
    lambda code: (
        Version.objects.select_related("questionnaire")
        .filter(questionnaire__code=str(code), state=VersionState.OPEN)
        .order_by("pk")[:1]
    )
)
# what the page and the count need of a target: its name, quota and count
TARGET_FIELDS = ("questionnaire_id", "quota", "accepted", "unit__name", "region__name")


def _targets_of(questionnaire: int) -> QuerySet[Target]:
    return (
        Target.objects.filter(questionnaire_id=questionnaire)
        .select_related("unit", "region")
        .only(*TARGET_FIELDS)
    )


_TARGETS = PreparedObjects(lambda questionnaire: _targets_of(questionnaire).order_by("id"))
_TARGET = PreparedObjects(
    lambda questionnaire, pk: _targets_of(questionnaire).filter(pk=pk)[:1], params=2
)


def open_by_public_code(code: str) -> tuple[Questionnaire, Version | None]:
    """The public page's questionnaire and its open version (None when it collects nothing):
    one query while it is open; 404 when no questionnaire has the code."""
    version = _OPEN_VERSION.first(code[:16])
    if version is not None:
        return version.questionnaire, version
    return questionnaire_by_public_code(code), None


def public_targets(questionnaire: Questionnaire) -> list[Target]:
    """The units or regions a public answer may be for (the page's list), in their order."""
    return _TARGETS.list(questionnaire.pk)


def public_target(questionnaire: Questionnaire, pk: int) -> Target | None:
    """The chosen target of a posted answer, if it is one of the questionnaire's."""
    return _TARGET.first(questionnaire.pk, pk)
