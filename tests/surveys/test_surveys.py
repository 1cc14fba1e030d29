"""Questionnaires: building, frozen versions, answering with tokens, quotas and device limits,
quality flags, exclusions and rates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wenming.audit.models import AuditEvent
from wenming.surveys.answering import Submission, started_stamp, submit
from wenming.surveys.models import Response, Token, TokenUse, VersionState
from wenming.surveys.quality import response_exclude
from wenming.surveys.results import mapping_rates, progress
from wenming.surveys.rules import QuestionSpec
from wenming.surveys.services import (
    SurveyRefused,
    question_add,
    questionnaire_create,
    tokens_create,
    version_new,
)


def _answers(*values: str) -> dict[str, list[str]]:
    return {f"Q{i}": [v] for i, v in enumerate(values, start=1)}


def _submit(q, target, answers, *, token=None, device="dev-a", seconds=120):
    started = started_stamp(timezone.now() - timedelta(seconds=seconds))
    return submit(
        Submission(
            questionnaire=q,
            target=target,
            token=token,
            device=device,
            answers=answers,
            started=started,
        )
    )


def test_opened_version_is_not_changed_in_place(world, survey):
    q, version, _ = survey
    with pytest.raises(SurveyRefused, match="已启用"):
        question_add(
            actor=world.people.east_office,
            version=version,
            section=version.sections.get(),
            spec=QuestionSpec(key="Q9", text="新题", kind="satisfaction"),
        )
    new = version_new(actor=world.people.east_office, questionnaire=q)
    assert new.number == 2 and new.state == VersionState.DRAFT
    assert list(new.questions.values_list("key", flat=True)) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert new.mappings.get().keys == ["Q1", "Q2"]


def test_show_if_must_name_an_earlier_choice_question(world, campaign):
    office = world.people.east_office
    q = questionnaire_create(actor=office, campaign=campaign, title="测试", audience="staff")
    version = q.versions.get()
    with pytest.raises(SurveyRefused, match="不是前面的题"):
        question_add(
            actor=office,
            version=version,
            section=version.sections.get(),
            spec=QuestionSpec(
                key="Q1", text="x", kind="text", show_if_key="Q7", show_if_values=["满意"]
            ),
        )


def test_hidden_question_is_not_required_and_shown_one_is(world, survey):
    q, _, target = survey
    _submit(q, target, _answers("满意", "满意", "基本满意", "满意"))
    with pytest.raises(SurveyRefused, match="Q5题为必答题"):
        _submit(q, target, _answers("不满意", "满意", "满意", "满意"), device="dev-b")


def test_answer_is_stored_without_token_address_or_device(world, survey):
    q, _, target = survey
    token = tokens_create(actor=world.people.east_office, target=target, count=1)[0]
    response = _submit(
        q, None, _answers("满意", "满意", "满意", "不满意", "太远"), token=token, device=""
    )
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"token", "address", "ip", "device"}
    assert response.via_token and TokenUse.objects.filter(token=token).exists()


def test_a_token_answers_once_by_database_constraint(world, survey):
    q, _, target = survey
    token = tokens_create(actor=world.people.east_office, target=target, count=1)[0]
    _submit(q, None, _answers("满意", "满意", "满意", "基本满意"), token=token, device="")
    with pytest.raises(SurveyRefused, match="已使用过"):
        _submit(q, None, _answers("满意", "满意", "满意", "基本满意"), token=token, device="")
    with pytest.raises(IntegrityError), transaction.atomic():
        TokenUse.objects.create(token=Token.objects.get(pk=token.pk), used_on=timezone.localdate())
    assert Response.objects.count() == 1


def test_quota_and_device_limit_refuse_without_writing(world, survey):
    q, _, target = survey
    _submit(q, target, _answers("满意", "满意", "满意", "基本满意"), device="d1")
    with pytest.raises(SurveyRefused, match="本设备已作答"):
        _submit(q, target, _answers("满意", "满意", "满意", "基本满意"), device="d1")
    _submit(q, target, _answers("满意", "满意", "满意", "基本满意"), device="d2")
    _submit(q, target, _answers("满意", "满意", "满意", "基本满意"), device="d3")
    with pytest.raises(SurveyRefused, match="样本已收满"):
        _submit(q, target, _answers("满意", "满意", "满意", "基本满意"), device="d4")
    target.refresh_from_db()
    assert target.accepted == Response.objects.count() == 3


def test_too_fast_and_same_option_are_flagged(world, survey):
    q, _, target = survey
    response = _submit(q, target, _answers("满意", "满意", "满意", "满意"), seconds=5)
    assert set(response.flags) == {"fast", "same"} and response.flagged


def test_rate_uses_the_rule_and_exclusion_is_audited(world, survey):
    q, version, target = survey
    _submit(q, target, _answers("满意", "基本满意", "满意", "不满意"), device="a")
    bad = _submit(q, target, _answers("不满意", "不满意", "满意", "满意", "远"), device="b")
    rates = mapping_rates(version, [target], with_excluded=True)[0].by_target[target.pk]
    assert rates.percent == Decimal("45.00")  # (1 + 0.8 + 0 + 0) / 4
    response_exclude(actor=world.people.east_office, response=bad, reason="同一人重复作答")
    rates = mapping_rates(version, [target], with_excluded=False)[0].by_target[target.pk]
    assert rates.percent == Decimal("90.00") and rates.responses == 1
    assert AuditEvent.objects.filter(action="survey.exclude").exists()
    [row] = progress(q, version)
    assert (row.valid, row.excluded) == (1, 1)


def test_public_page_answers_and_refuses_in_chinese(client, world, survey):
    q, _, target = survey
    page = client.get(f"/s/{q.code}/")
    assert page.status_code == 200 and "家长满意度调查" in page.content.decode()
    started = page.context["started"]
    sent = client.post(
        f"/s/{q.code}/",
        {"target": target.pk, "started": started, "q_Q1": "满意", "q_Q2": "满意", "q_Q3": "满意"},
    )
    assert "第Q4题为必答题" in sent.content.decode()
    sent = client.post(
        f"/s/{q.code}/",
        {
            "target": target.pk,
            "started": started,
            "q_Q1": "满意",
            "q_Q2": "满意",
            "q_Q3": "满意",
            "q_Q4": "基本满意",
        },
    )
    assert sent.status_code == 302 and Response.objects.count() == 1


def test_office_pages_render(client, world, survey):
    q, _, target = survey
    _submit(q, target, _answers("满意", "基本满意", "满意", "不满意"))
    client.force_login(world.people.east_office)
    for name in ("", "build/", "quality/?show=all", "results/", "results/?excluded=1"):
        assert client.get(f"/surveys/{q.pk}/{name}").status_code == 200
    assert client.get("/surveys/").status_code == 200
    assert client.get(f"/surveys/{q.pk}/questions.xlsx").status_code == 200
    client.force_login(world.people.filler)
    assert client.get(f"/surveys/{q.pk}/").status_code == 403
