from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.factories import UnitFactory, person, region
from wenming.accounts.models import Role
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, State
from wenming.organizations.models import RegionLevel


def apply(campaign_: Any, unit: Any, edition: Any, actor: Any, state: str = State.IN_REVIEW):
    assessment = SelfAssessment.objects.create(
        unit=unit,
        edition=edition,
        status=AssessmentStatus.SUBMITTED,
        as_of=timezone.localdate(),
        created_by=actor,
    )
    return Application.objects.create(
        campaign=campaign_,
        unit=unit,
        assessment=assessment,
        state=state,
        step="evaluate" if state == State.IN_REVIEW else "",
        region_path=unit.region_path,
        supervisor=unit.supervisor,
    )


@pytest.fixture
def pool(world, campaign, standard):  # noqa: F811
    """7 junior and 5 primary schools in review, in two townships of 江东区, plus one school
    still preparing its application (not a candidate)."""
    office = world.people.east_office
    hill = region("望山街道", RegionLevel.TOWNSHIP, world.east, code="420102002")
    junior, primary = [], []
    for n in range(7):
        unit = UnitFactory.create(
            name=f"江东区第{n + 1}初级中学",
            unit_type=world.types.school,
            region=world.town if n < 5 else hill,
            supervisor=world.bureau,
            stage="初中",
        )
        junior.append(apply(campaign, unit, standard, office))
    for n in range(5):
        unit = UnitFactory.create(
            name=f"江东区第{n + 10}小学",
            unit_type=world.types.school,
            region=world.town if n < 4 else hill,
            supervisor=world.bureau,
            stage="小学",
        )
        primary.append(apply(campaign, unit, standard, office))
    preparing = apply(
        campaign,
        UnitFactory.create(
            name="江东区第99小学", unit_type=world.types.school, region=hill, stage="小学"
        ),
        standard,
        office,
        state=State.PREPARING,
    )
    west_office = person("west_office", Role.OFFICE, region_=world.west)
    return SimpleNamespace(
        campaign=campaign,
        junior=junior,
        primary=primary,
        preparing=preparing,
        hill=hill,
        west_office=west_office,
    )
