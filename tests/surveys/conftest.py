"""A public satisfaction survey on the district's school campaign, open, one unit targeted."""

from __future__ import annotations

import pytest

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from wenming.frameworks.selectors import engine_of
from wenming.surveys.rules import QuestionSpec
from wenming.surveys.services import question_add, questionnaire_create, target_add, version_open


@pytest.fixture
def survey(world, campaign):  # noqa: F811
    office = world.people.east_office
    q = questionnaire_create(
        actor=office, campaign=campaign, title="家长满意度调查", audience="public"
    )
    version = q.versions.get()
    section = version.sections.get()
    for key in ("Q1", "Q2", "Q3", "Q4"):
        question_add(
            actor=office,
            version=version,
            section=section,
            spec=QuestionSpec(key=key, text=f"您对学校第{key}方面是否满意", kind="satisfaction"),
        )
    question_add(
        actor=office,
        version=version,
        section=section,
        spec=QuestionSpec(
            key="Q5",
            text="不满意的原因",
            kind="text",
            required=True,
            show_if_key="Q1",
            show_if_values=["不满意"],
        ),
    )
    leaf = next(code for _, code, _ in engine_of(campaign.edition).leaves)
    version.mappings.create(code=leaf, keys=["Q1", "Q2"])
    target = target_add(actor=office, questionnaire=q, unit=world.s1, quota=3)
    version_open(actor=office, version=version)
    return q, version, target
