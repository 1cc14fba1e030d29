"""文明校园 has a separately scored component (M 未成年人思想道德建设测评, threshold 85, weight
20 %): the paper score sheet asks for it, and its import scores it — a sheet with every item at
full marks no longer comes out 不合格."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.core.helpers import full_marks
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, State
from wenming.campaigns.score_sheet import COMPONENTS, score_sheet_blank
from wenming.campaigns.services import CampaignInput, campaign_create
from wenming.core.formats import framework_load
from wenming.demo import library_files
from wenming.frameworks.selectors import engine_of
from wenming.frameworks.services import framework_import
from wenming.imports.services import import_commit, import_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(world):
    path = next(p for p in library_files() if p.name == "civilized-campus.yaml")
    edition = framework_import(framework=framework_load(path))[0]
    today = timezone.localdate()
    campaign = campaign_create(
        actor=world.people.east_office,
        data=CampaignInput(
            name="2026年江东区文明校园测评",
            year=2026,
            level="district",
            region=world.east,
            edition=edition,
            unit_types=[world.types.school],
            apply_from=today - timedelta(days=10),
            apply_until=today + timedelta(days=10),
            chain=[
                {"key": "evaluate", "label": "测评", "role": "office", "level": 3, "result": True}
            ],
        ),
    )
    assessment = SelfAssessment.objects.create(
        unit=world.s1,
        edition=edition,
        status=AssessmentStatus.SUBMITTED,
        as_of=today,
        created_by=world.people.admin,
    )
    return Application.objects.create(
        campaign=campaign,
        unit=world.s1,
        assessment=assessment,
        state=State.IN_REVIEW,
        step="evaluate",
        region_path=world.s1.region_path,
        supervisor=world.s1.supervisor,
    )


def filled(application, component: int | None) -> bytes:
    engine = engine_of(application.campaign.edition)
    workbook = load_workbook(io.BytesIO(score_sheet_blank(application)))
    values = {
        code: engine.styles[code].render(item.value) for code, item in full_marks(engine).items()
    }
    for row in workbook["评分表"].iter_rows(min_row=3):
        if str(row[0].value) in values:
            row[5].value = str(values[str(row[0].value)])
    parts = workbook[COMPONENTS]
    assert [c.value for c in parts[1]] == ["编码", "分项名称", "满分", "达标线", "权重(%)", "得分"]
    assert [c.value for c in parts[2]][:5] == ["M", "未成年人思想道德建设测评", 100, 85, 20]
    parts["F2"] = component
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def imported(world, application, content):
    return import_preview(
        kind="score_sheet",
        filename="评分表.xlsx",
        content=content,
        user=world.people.east_office,
        context={"application": str(application.pk)},
    )


def test_full_marks_with_the_component_reached_pass(world, application):
    batch, plan = imported(world, application, filled(application, 92))
    assert plan.ok, [str(e) for e in plan.errors]
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    application.refresh_from_db()
    assert application.result_grade == "优秀" and not application.result_vetoed
    assert application.evaluations.get().data["components"] == {"M": "92"}


def test_a_missing_or_wrong_component_score_is_named(world, application):
    _, plan = imported(world, application, filled(application, None))
    assert any("请填写分项“未成年人思想道德建设测评”的得分" in str(e) for e in plan.errors)
    _, plan = imported(world, application, filled(application, 120))
    assert any("第2行F列" in str(e) and "得分应在0到100之间" in str(e) for e in plan.errors)
