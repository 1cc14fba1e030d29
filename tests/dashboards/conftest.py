"""A hand-counted campaign: five schools, their evaluations and what each lost."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import results
from tests.factories import UnitFactory
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, State, Target
from wenming.campaigns.services import (
    CampaignInput,
    campaign_create,
    campaign_open,
    evaluation_record,
)

# school → (region, supervised by the bureau?, items changed from full marks, veto?)
# A1.4 is yes/no worth 15 points ("否" loses all 15); A1.6 deducts the points entered.
SCHOOLS: dict[str, tuple[str, bool, dict[str, Any], bool]] = {
    "临江第一小学": ("town", True, {"A1.6": 2}, False),  # 998 达标
    "临江第二小学": ("town", True, {"A1.4": "否", "A1.6": 2}, False),  # 983 达标
    "江东实验小学": ("east", True, {"A1.4": "否"}, False),  # 985 达标
    "江东第三小学": ("east", False, {"A1.6": 1}, True),  # 999 but vetoed → 不达标
    "江西第一小学": ("west", False, {"A1.4": "否"}, False),  # 985 达标
}


def evaluation_data(edition: Any, unit: Any, changes: dict[str, Any], veto: bool) -> dict[str, Any]:
    events = [{"code": "V1", "date": date(2026, 5, 1)}] if veto else []
    data = results(edition, unit, events=events)
    for code, value in changes.items():
        data["items"][code] = {"value": value}
    return data


@pytest.fixture
def board(world, standard):  # noqa: F811
    """The city's campaign with one evaluation step any covering office acts on; every school
    evaluated by the city office (applications still in review)."""
    today = timezone.localdate()
    campaign = campaign_create(
        actor=world.people.city_office,
        data=CampaignInput(
            name="2026年江城市义务教育标准化学校评估",
            year=2026,
            level="city",
            region=world.city,
            edition=standard,
            unit_types=[world.types.school],
            apply_from=today - timedelta(days=30),
            apply_until=today - timedelta(days=1),
            chain=[{"key": "evaluate", "label": "初评", "role": "office", "result": True}],
        ),
    )
    campaign_open(actor=world.people.city_office, campaign=campaign)
    regions = {"town": world.town, "east": world.east, "west": world.west}
    applications = {}
    for name, (where, supervised, changes, veto) in SCHOOLS.items():
        unit = UnitFactory.create(
            name=name,
            unit_type=world.types.school,
            region=regions[where],
            supervisor=world.bureau if supervised else None,
            stage="小学",
            enrolment_primary=600,
        )
        assessment = SelfAssessment.objects.create(
            unit=unit, edition=standard, status=AssessmentStatus.SUBMITTED, as_of=today,
            created_by=world.people.city_office,
        )  # fmt: skip
        application = Application.objects.create(
            campaign=campaign, unit=unit, assessment=assessment, state=State.IN_REVIEW,
            step="evaluate", region_path=unit.region_path, supervisor=unit.supervisor,
        )  # fmt: skip
        evaluation_record(
            actor=world.people.city_office,
            application=application,
            data=evaluation_data(standard, unit, changes, veto),
            source="paper",
        )
        application.refresh_from_db()
        applications[name] = application
    Target.objects.create(campaign=campaign, region=world.town, count=4)
    Target.objects.create(campaign=campaign, supervisor=world.bureau, count=2)
    return SimpleNamespace(campaign=campaign, applications=applications, world=world)
