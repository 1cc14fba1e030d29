"""Who may use each registered importer, and with which context (for tests of every importer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.ledger.conftest import _media, civic  # noqa: F401
from wenming.accounts.models import Role, RoleGrant


def _units(request: pytest.FixtureRequest, world: Any) -> tuple[Any, dict[str, str]]:
    return world.people.east_office, {}


def _assignments(request: pytest.FixtureRequest, world: Any) -> tuple[Any, dict[str, str]]:
    edition = request.getfixturevalue("civic")
    admin = world.people.other_filler
    RoleGrant.objects.create(user=admin, role=Role.UNIT_ADMIN, unit=world.other)
    return admin, {"unit": str(world.other.pk), "edition": str(edition.pk)}


def _score_sheet(request: pytest.FixtureRequest, world: Any) -> tuple[Any, dict[str, str]]:
    from tests.campaigns.test_score_sheet import at_evaluation

    application = at_evaluation(world, request.getfixturevalue("campaign"))
    return world.people.east_office, {"application": str(application.pk)}


def _survey_questions(request: pytest.FixtureRequest, world: Any) -> tuple[Any, dict[str, str]]:
    from wenming.surveys.services import questionnaire_create

    office = world.people.east_office
    questionnaire = questionnaire_create(
        actor=office, campaign=request.getfixturevalue("campaign"), title="问卷", audience="public"
    )
    return office, {"version": str(questionnaire.versions.get().pk)}


def _balance(request: pytest.FixtureRequest, world: Any) -> tuple[Any, dict[str, str]]:
    return world.people.east_office, {"year": "2026"}


SETUPS: dict[str, Callable[[pytest.FixtureRequest, Any], tuple[Any, dict[str, str]]]] = {
    "units": _units,
    "problems": _units,
    "titles": _units,
    "balance": _balance,
    "assignments": _assignments,
    "score_sheet": _score_sheet,
    "survey-questions": _survey_questions,
}


@pytest.fixture(params=sorted(SETUPS))
def importer_case(request: pytest.FixtureRequest, world: Any) -> tuple[str, Any, dict[str, str]]:
    """(kind, user, context) for each registered importer, the user allowed to use it."""
    user, context = SETUPS[request.param](request, world)
    return request.param, user, context
