"""文明校园's separately scored component (M 未成年人思想道德建设测评, threshold 85, weight 20 %)
is scored on site like an item: on the expert's phone, per expert on the reconciliation sheet,
in the signed result, and in the result documents (score sheet, ranking, bulletin)."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.campaigns.test_score_sheet_components import application  # noqa: F401
from tests.core.helpers import full_marks
from tests.onsite.conftest import make_expert
from wenming.campaigns.models import Application
from wenming.documents.campaign_docs import bulletin_data
from wenming.documents.sheets import ranking_xlsx, score_sheet_rows
from wenming.frameworks.selectors import engine_of
from wenming.onsite.assignments import assignment_create
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.models import Score
from wenming.onsite.scoring import score_record, scores_sync
from wenming.onsite.sheets import decision_set, sheet_record, sheet_sign
from wenming.onsite.teams import team_create

pytestmark = pytest.mark.django_db


def entries(engine, assignment, component: str | None):
    """Every item at full marks (A where graded) and, when given, the component's score."""
    out = [
        {
            "client_id": str(uuid.uuid4()),
            "assignment": assignment.pk,
            "code": code,
            "value": str(engine.styles[code].render(item.value)),
            "entered_at": timezone.now().isoformat(),
        }
        for code, item in full_marks(engine).items()
    ]
    if component is not None:
        out.append(
            {
                "client_id": str(uuid.uuid4()),
                "assignment": assignment.pk,
                "code": "M",
                "value": component,
                "entered_at": timezone.now().isoformat(),
            }
        )
    return out


@pytest.fixture
def campus(world, application):  # noqa: F811
    """A 文明校园 application on site: a team of three experts assigned to it."""
    experts = [make_expert(world, u, name=n) for u, n in (("zhao", "赵专家"), ("qian", "钱专家"))]
    experts.append(make_expert(world, "sun", name="孙专家"))
    team = team_create(
        actor=world.people.east_office,
        campaign=application.campaign,
        name="第一组",
        leader=experts[0],
        members=experts[1:],
    )
    assignment = assignment_create(
        actor=world.people.east_office, team=team, application=application
    )
    engine = engine_of(application.campaign.edition)
    return SimpleNamespace(
        application=application, assignment=assignment, experts=experts, engine=engine
    )


def score_all(campus, components: list[str | None]):
    for expert, component in zip(campus.experts, components, strict=True):
        answers = scores_sync(
            actor=expert.user, entries=entries(campus.engine, campus.assignment, component)
        )
        assert all(a.ok for a in answers), [a.error for a in answers if not a.ok][:3]


def test_every_item_at_a_with_the_component_reached_passes(world, campus):
    score_all(campus, ["90", "88", "92.5"])
    leader = campus.experts[0].user
    signature = sheet_sign(actor=leader, application=campus.application)
    assert signature.content["components"] == {"M": "90.17"}  # the mean of 90, 88 and 92.5
    evaluation = sheet_record(actor=world.people.east_office, application=campus.application)
    result = Application.objects.get(pk=campus.application.pk)
    assert not result.result_vetoed and result.result_grade == "优秀"
    assert evaluation.source == "onsite"


def test_a_component_below_its_threshold_fails_and_says_why(world, campus):
    score_all(campus, ["80", "80", "80"])
    sheet_sign(actor=campus.experts[0].user, application=campus.application)
    sheet_record(actor=world.people.east_office, application=campus.application)
    result = Application.objects.get(pk=campus.application.pk)
    assert result.result_vetoed
    data = bulletin_data(result.campaign, day=timezone.localdate())
    assert data.results[0][-1] == "未成年人思想道德建设测评未达标"
    assert any("未成年人思想道德建设测评得分未达到85分" in r for r in data.requirements)


def test_a_sheet_without_the_component_is_not_signed(campus):
    score_all(campus, [None, None, None])
    with pytest.raises(OnsiteRefused, match="分项“未成年人思想道德建设测评”还没有专家评分"):
        sheet_sign(actor=campus.experts[0].user, application=campus.application)


@pytest.mark.parametrize(
    ("value", "message"),
    [("101", "应在0到100之间"), ("-1", "应在0到100之间"), ("八十", "应为数字"), ("", "请填写")],
)
def test_a_wrong_component_score_is_refused_naming_the_component(campus, value, message):
    with pytest.raises(OnsiteRefused, match=message) as refused:
        score_record(
            actor=campus.experts[1].user,
            entry={
                "client_id": str(uuid.uuid4()),
                "assignment": campus.assignment.pk,
                "code": "M",
                "value": value,
            },
        )
    assert "未成年人思想道德建设测评" in str(refused.value)
    assert not Score.objects.filter(code="M").exists()


def test_the_leader_may_decide_the_component_with_a_reason(world, campus):
    score_all(campus, ["80", "90", "96"])
    leader = campus.experts[0].user
    decision_set(
        actor=leader, application=campus.application, code="M", value="86.5", reason="复核问卷"
    )
    with pytest.raises(OnsiteRefused, match="应在0到100之间"):
        decision_set(
            actor=leader, application=campus.application, code="M", value="120", reason="误填"
        )
    signature = sheet_sign(actor=leader, application=campus.application)
    assert signature.content["components"] == {"M": "86.5"}


def test_the_phone_page_asks_for_the_component(client, campus):
    client.force_login(campus.experts[1].user)
    page = client.get(reverse("onsite:score", args=[campus.assignment.pk])).content.decode()
    assert 'id="i-M"' in page and "未成年人思想道德建设测评" in page
    assert "须达到85分" in page and "按20%计入总分" in page
    total = len(campus.engine.styles) + 1
    assert f"/ {total} 项" in page


def test_reconciliation_shows_the_component_per_expert(client, campus):
    score_all(campus, ["90", "84", "92"])
    client.force_login(campus.experts[0].user)
    page = client.get(reverse("onsite:sheet", args=[campus.assignment.pk])).content.decode()
    row = page[page.index('<td class="code">M</td>') :]
    row = row[: row.index("</tr>")]
    assert "未成年人思想道德建设测评" in row and "须达到85分" in row
    for score in ("90", "84", "92"):
        assert f"<strong>{score}</strong>" in row
    assert ">88.67<" in row  # the mean, the rule's figure and the score on site


def test_the_documents_show_the_component(world, campus):
    score_all(campus, ["90", "90", "90"])
    sheet_sign(actor=campus.experts[0].user, application=campus.application)
    sheet_record(actor=world.people.east_office, application=campus.application)
    result = Application.objects.get(pk=campus.application.pk)
    rows, _ = score_sheet_rows(result)
    part = next(r for r in rows if r[0] == "M")
    assert part[1] == "未成年人思想道德建设测评" and part[5] == 90.0
    assert "达标线85分" in part[7] and "20%" in part[7]
    data = bulletin_data(result.campaign, day=timezone.localdate())
    assert data.component_headers == ["未成年人思想道德建设测评(门槛85分)"]
    assert data.results[0][3] == "90" and data.results[0][-1] == "优秀"
    sheet = load_workbook(io.BytesIO(ranking_xlsx(result.campaign)))["排名"]
    header = [c.value for c in sheet[2]]
    assert header[-1] == "未成年人思想道德建设测评(分项)"
    assert [c.value for c in sheet[3]][-1] == 90
