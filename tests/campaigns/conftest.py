from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.core.helpers import full_marks, with_total
from wenming.assessments.services import entry_save, self_assessment_start, self_assessment_submit
from wenming.campaigns.models import Phase
from wenming.campaigns.services import CampaignInput, campaign_create, campaign_open
from wenming.frameworks.selectors import engine_of


def results(
    edition: Any, unit: Any, centi: int | None = None, events: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Results-format data with an exact total (full marks when ``centi`` is None)."""
    engine = engine_of(edition)
    items = full_marks(engine) if centi is None else with_total(engine, centi).items
    data = {
        "framework": edition.code,
        "edition": edition.edition,
        "unit": unit.name,
        "as_of": date(2026, 6, 30),
        "items": {
            code: {"value": engine.styles[code].render(i.value)} for code, i in items.items()
        },
        "events": events or [],
        "components": {},
    }
    if unit.stage:
        data["stage"] = unit.stage
    if unit.enrolment:
        data["enrolment"] = dict(unit.enrolment)
    return data


def submitted_assessment(
    world: Any, edition: Any, unit: Any = None, filler: Any = None, admin: Any = None
):
    unit = unit or world.s1
    assessment = self_assessment_start(
        actor=filler or world.people.filler, unit=unit, edition=edition
    )
    engine = engine_of(edition)
    for code, item in full_marks(engine).items():
        entry_save(
            actor=filler or world.people.filler,
            assessment_id=assessment.pk,
            code=code,
            value=str(engine.styles[code].render(item.value)),
        )
    return self_assessment_submit(
        actor=admin or world.people.unit_admin, assessment_id=assessment.pk
    )


@pytest.fixture
def campaign(world, standard):  # noqa: F811
    today = timezone.localdate()
    created = campaign_create(
        actor=world.people.east_office,
        data=CampaignInput(
            name="2026年江东区义务教育标准化学校评估",
            year=2026,
            level="district",
            region=world.east,
            edition=standard,
            unit_types=[world.types.school],
            apply_from=today - timedelta(days=10),
            apply_until=today + timedelta(days=10),
        ),
    )
    campaign_open(actor=world.people.east_office, campaign=created)
    assert created.phase == Phase.OPEN
    return created
