"""On-site scoring with every kind of rule (tests/data/rules.yaml): the phone's inputs, the sync
JSON's counts and 不适用, and reconciliation on measured values and counts, not points."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.assessments.test_rule_kinds import RULES
from wenming.core.formats import framework_load
from wenming.frameworks.services import framework_import
from wenming.onsite.assignments import assignment_create
from wenming.onsite.models import Rule, Score, Sheet
from wenming.onsite.reconciliation import reconcile
from wenming.onsite.scoring import scores_sync
from wenming.onsite.sheets import final_items, sheet_data, sheet_scorecard
from wenming.onsite.teams import onsite_settings_save

pytestmark = pytest.mark.django_db

FULL = {"A1": "30", "A2": "0", "A3": "是", "B1": "是", "B2": "是", "C": "0"}


@pytest.fixture
def standard(world):
    """The campaign of tests/onsite/conftest.py, on the rules framework instead."""
    return framework_import(framework=framework_load(RULES))[0]


@pytest.fixture
def assignment(world, onsite):
    return assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )


def entry(assignment, code, value="", **more):
    return {
        "client_id": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "code": code,
        "value": value,
        "reason": more.pop("reason", ""),
        "entered_at": timezone.now().isoformat(),
        **more,
    }


def send(expert, assignment, changed):
    """Full marks except ``changed`` (code → extra entry fields); every entry must pass."""
    entries = [
        entry(assignment, code, **changed[code]) if code in changed else entry(assignment, code, v)
        for code, v in FULL.items()
    ]
    entries += [entry(assignment, c, **f) for c, f in changed.items() if c not in FULL]
    answers = scores_sync(actor=expert.user, entries=entries)
    assert all(a.ok for a in answers), [a.error for a in answers if not a.ok]


def finals_of(assignment, campaign):
    application = assignment.application
    application.refresh_from_db()
    from wenming.onsite.selectors import settings_of

    sheet = Sheet.objects.get(application=application)
    return final_items(application, settings_of(campaign), sheet)


def test_the_phone_shows_bands_kinds_and_not_applicable(client, onsite, assignment):
    client.force_login(onsite.experts.b.user)
    page = client.get(reverse("onsite:score", args=[assignment.pk])).content.decode()
    assert "≥30%:3分" in page and "志愿者注册率(%)" in page
    assert 'data-field="count" data-kind="缺项"' in page and "每处扣2分" in page
    assert 'data-kind="国家级"' in page and "每项加3分" in page  # awards per level
    assert page.count('data-field="na"') == 1 and "折算到20分" in page
    assert "评分标准:不超过0件得4分" in page  # generated where none was written


def test_counts_and_not_applicable_travel_as_typed_fields(client, onsite, assignment):
    client.force_login(onsite.experts.b.user)
    body = {
        "entries": [
            entry(assignment, "A2", counts={"缺项": 1, "不规范": "2"}, reason="台账缺项"),
            entry(assignment, "A3", "是", na=True),
            entry(assignment, "B2", counts={"缺项": 1}),  # a yes/no item: counts ignored
            entry(assignment, "A2", counts={"漏项": 1}, reason="x"),
        ]
    }
    response = client.post(
        reverse("onsite:sync"), json.dumps(body), content_type="application/json"
    )
    answers = response.json()["answers"]
    assert [a["ok"] for a in answers] == [True, True, False, False]
    assert "B2:" in answers[2]["error"]
    assert "“漏项”不是本项的问题类型" in answers[3]["error"]
    mine = {s.code: s for s in Score.objects.filter(expert=onsite.experts.b.user)}
    assert mine["A2"].value == "缺项:1、不规范:2" and mine["A2"].score_centi == 100
    assert mine["A3"].value == "不适用" and mine["A3"].points_centi == 0


def test_a_tiered_item_reconciles_on_its_measured_value(world, onsite, assignment):
    # 25% and 28% earn 2 points, 31% earns 3: the rule is applied to the values (mean 28%),
    # then the tier of the result is scored
    send(onsite.experts.a, assignment, {"A1": {"value": "25", "reason": "不足"}})
    send(onsite.experts.b, assignment, {"A1": {"value": "28", "reason": "不足"}})
    send(onsite.experts.c, assignment, {"A1": {"value": "31"}})
    reconcile(onsite.campaign)
    final = finals_of(assignment, onsite.campaign)["A1"]
    assert (final.value, final.figure, final.compared) == ("28", 200, "实测值")
    assert final.spread == "25–31%"
    onsite_settings_save(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        rule=Rule.MEDIAN,
        exclude_own_township=False,
    )
    final = finals_of(assignment, onsite.campaign)["A1"]
    assert (final.value, final.figure) == ("28", 200)
    send(onsite.experts.c, assignment, {"A1": {"value": "30"}})
    reconcile(onsite.campaign)
    onsite_settings_save(
        actor=world.people.east_office,
        campaign=onsite.campaign,
        rule=Rule.LEADER,
        exclude_own_township=False,
    )
    final = finals_of(assignment, onsite.campaign)["A1"]
    assert final.pending  # the values differ, though two of three experts' points agree


def test_findings_reconcile_per_kind_and_the_leader_decides_when_counts_differ(
    world, onsite, assignment
):
    send(onsite.experts.a, assignment, {"A2": {"value": "缺项1、不规范0", "reason": "缺"}})
    send(onsite.experts.b, assignment, {"A2": {"value": "缺项1、不规范2", "reason": "缺"}})
    send(onsite.experts.c, assignment, {"A2": {"value": "缺项2、不规范1", "reason": "缺"}})
    reconcile(onsite.campaign)
    final = finals_of(assignment, onsite.campaign)["A2"]
    # 缺项 (1+1+2)/3 = 1.33 → 1; 不规范 (0+2+1)/3 = 1 → 5 − (2 + 1) = 2
    assert (final.value, final.figure, final.compared) == ("缺项:1、不规范:1", 200, "处数")
    assert final.spread == "缺项1–2、不规范0–2" and not final.pending
    application = assignment.application
    data = sheet_data(
        application, finals_of(assignment, onsite.campaign), as_of=timezone.localdate()
    )
    card, problems = sheet_scorecard(application, data)
    assert card is not None, problems
    assert card.node("A2") == 200


def test_measured_values_three_times_apart_are_flagged(world, onsite, assignment):
    # 10% and 31%: one expert likely measured another population; the points (0 and 3) may
    # sit inside the spread threshold, the values must still be looked at
    send(onsite.experts.a, assignment, {"A1": {"value": "10", "reason": "不足"}})
    send(onsite.experts.b, assignment, {"A1": {"value": "31"}})
    send(onsite.experts.c, assignment, {"A1": {"value": "30"}})
    reconcile(onsite.campaign)
    assert finals_of(assignment, onsite.campaign)["A1"].flagged
    send(onsite.experts.a, assignment, {"A1": {"value": "25", "reason": "不足"}})
    reconcile(onsite.campaign)
    sheet_final = finals_of(assignment, onsite.campaign)["A1"]
    assert sheet_final.spread == "25–31%"
