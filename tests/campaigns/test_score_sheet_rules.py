"""The paper score sheet with every kind of rule (tests/data/rules.yaml): the blank says what each
cell takes and prints the 评分标准; blank → filled → import gives the same scores as the same
values entered directly; refusals name the cell."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.assessments.test_rule_kinds import RULES
from tests.core.helpers import full_marks
from wenming.assessments.services import entry_save, self_assessment_start, self_assessment_submit
from wenming.campaigns.services import (
    CampaignInput,
    application_pass,
    application_prepare,
    application_sign,
    application_submit,
    campaign_create,
    campaign_open,
    score_result,
)
from wenming.core.formats import framework_load
from wenming.dashboards.services import losses_of
from wenming.documents.sheets import score_sheet_rows
from wenming.frameworks.selectors import engine_of
from wenming.frameworks.services import framework_import
from wenming.imports.services import import_commit, import_preview

pytestmark = pytest.mark.django_db

# one value of every kind: a tier, counts per kind, 不适用, yes/no, counts per level
VALUES = {
    "A1": ("25%", "注册率不足"),
    "A2": ("缺项1、不规范2", "台账缺项"),
    "A3": ("不适用", None),
    "B1": ("是", None),
    "B2": ("否", "未演练"),
    "C": (1, "投诉1件"),
    "F1": ("国家级1、市级1", None),
}


@pytest.fixture
def application(world):
    edition = framework_import(framework=framework_load(RULES))[0]
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
        ),
    )
    campaign_open(actor=world.people.east_office, campaign=campaign)
    assessment = self_assessment_start(actor=world.people.filler, unit=world.s1, edition=edition)
    engine = engine_of(edition)
    for code, item in full_marks(engine, bonus=True).items():
        value = str(engine.styles[code].render(item.value))
        entry_save(actor=world.people.filler, assessment_id=assessment.pk, code=code, value=value)
    self_assessment_submit(actor=world.people.unit_admin, assessment_id=assessment.pk)
    found = application_prepare(actor=world.people.unit_admin, campaign=campaign, unit=world.s1)
    application_sign(actor=world.people.head, application=found, role="head")
    found = application_submit(
        actor=world.people.unit_admin, application_id=found.pk, version=found.version
    )
    for who in (world.people.supervisor, world.people.east_office):
        found = application_pass(actor=who, application_id=found.pk, version=found.version)
    return found


def blank_of(client, world, application) -> bytes:
    client.force_login(world.people.east_office)
    response = client.get(reverse("campaigns:score_sheet", args=[application.pk]))
    assert response.status_code == 200
    return bytes(response.content)


def fill(blank: bytes, values: dict[str, Any], events: dict[str, Any] | None = None) -> bytes:
    workbook = load_workbook(io.BytesIO(blank))
    sheet = workbook["评分表"]
    for row in sheet.iter_rows(min_row=3):
        if str(row[0].value) in values:
            row[5].value, row[6].value = values[str(row[0].value)]
    for row in workbook["否决与负面清单"].iter_rows(min_row=2):
        if events and str(row[0].value) in events:
            row[2].value, row[3].value, row[5].value = events[str(row[0].value)]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def preview(world, application, content):
    return import_preview(
        kind="score_sheet",
        filename="评分表.xlsx",
        content=content,
        user=world.people.east_office,
        context={"application": str(application.pk)},
    )


def test_the_blank_says_what_each_new_kind_of_cell_takes(client, world, application):
    sheet = load_workbook(io.BytesIO(blank_of(client, world, application)))["评分表"]
    header = [c.value for c in sheet[2]]
    assert header[5:] == ["得分/评价", "扣分理由", "评分标准", "填写说明"]
    rows = {r[0]: [str(v or "") for v in r] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["A1"][7] == "注册率达到30%得3分;20%至30%得2分;低于20%不得分。"
    assert rows["A1"][8].startswith("填志愿者注册率(%)的实测值(≥30%得3分;≥20%得2分)")
    assert "缺项每处扣2分" in rows["A2"][8] and "如“缺项0、不规范1”" in rows["A2"][8]
    assert "不适用的填“不适用”" in rows["A3"][8] and "折算到20分" in rows["A3"][8]
    assert "不适用" not in rows["A1"][8]  # A1 does not allow it
    assert rows["C"][7] == "不超过0件得4分,超过0件至2件(含)得2分,超过2件不得分。"
    assert "国家级每项加3分" in rows["F1"][8]
    events = load_workbook(io.BytesIO(blank_of(client, world, application)))["否决与负面清单"]
    assert [c.value for c in events[1]][-1] == "消除日期"


def test_a_filled_sheet_imports_to_the_same_scores(client, world, application):
    content = fill(
        blank_of(client, world, application),
        VALUES,
        {"V1": ("是", date(2020, 3, 1), date(2021, 9, 1)), "N1": ("是", None, None)},
    )
    batch, plan = preview(world, application, content)
    assert plan.ok, [str(e) for e in plan.errors]
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    application.refresh_from_db()
    direct = {
        "items": {code: {"value": value} for code, (value, _) in VALUES.items()},
        "events": [
            {"code": "V1", "date": date(2020, 3, 1), "until": date(2021, 9, 1)},
            {"code": "N1"},
        ],
        "as_of": application.campaign.evaluate_until or timezone.localdate(),
        "stage": "小学",
        "unit_type": "学校",
    }
    card, problems = score_result(application, direct)
    assert card is not None, problems
    # A1 2 + A2 5−4 + B1 4 + B2 0 + C 2 = 9 of 18 applicable → 10 of 20; bonus 4; N1 −3
    assert (card.base, card.bonus, card.deductions, card.vetoed) == (1000, 400, 300, False)
    assert application.result_centi == card.total == 1100
    assert application.evaluations.get().source == "paper"
    # the printed result sheet: 不适用 loses nothing; B1 (小学) is there, this is a primary school
    rows = {row[0]: row for row in score_sheet_rows(application)[0]}
    assert rows["A3"][6:] == (None, "不适用")
    assert rows["A2"][6] == 4 and rows["B1"][5] == 4
    assert "A3" not in losses_of(card) and losses_of(card)["A2"] == 400


def test_refusals_name_the_cell_and_record_nothing(client, world, application):
    values = dict(VALUES)
    values["A2"] = ("缺项1、漏项2", None)
    values["A1"] = ("不适用", None)
    values["F1"] = ("国家级-1", None)
    content = fill(
        blank_of(client, world, application),
        values,
        {"V2": ("是", date(2026, 1, 1), date(2026, 2, 1))},
    )
    _, plan = preview(world, application, content)
    errors = [str(e) for e in plan.errors]
    assert any("F列(得分/评价)" in e and "A2:“漏项”不是本项的问题类型" in e for e in errors), errors
    assert any("F列(得分/评价)" in e and "A1 不允许填写“不适用”" in e for e in errors), errors
    assert any("F列(得分/评价)" in e and e.count("F1:") for e in errors), errors
    assert any(
        "工作表“否决与负面清单”" in e and "F列(消除日期)" in e and "V2 不是状态类否决项" in e
        for e in errors
    ), errors
    application.refresh_from_db()
    assert application.result_centi is None
