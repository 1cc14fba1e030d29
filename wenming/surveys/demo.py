"""Demo questionnaires: a public satisfaction survey and a staff survey on this year's city
文明单位 campaign, with answers for several units (some flagged, two set aside), and the public
figure recorded into two units' evaluations. Idempotent (skipped when the survey exists)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.campaigns.models import Application, Campaign
from wenming.surveys.answering import Submission, started_stamp, submit
from wenming.surveys.feed import figure_record
from wenming.surveys.models import Questionnaire, Response
from wenming.surveys.quality import response_exclude
from wenming.surveys.rules import QuestionSpec
from wenming.surveys.services import (
    mapping_set,
    question_add,
    questionnaire_create,
    section_add,
    target_add,
    version_open,
)

PUBLIC_TITLE = "服务对象满意度调查"
STAFF_TITLE = "干部职工创建工作认可度问卷"
SATISFIED = ["满意", "基本满意", "不满意"]


def demo_surveys() -> bool:
    office = User.objects.filter(username="city_office").first()
    campaign = Campaign.objects.filter(name="2026年度江城市市级文明单位测评").first()
    if office is None or campaign is None:
        return False
    if Questionnaire.objects.filter(title=PUBLIC_TITLE).exists():
        return False
    applications = list(
        Application.objects.filter(campaign=campaign, evaluations__isnull=False)
        .select_related("unit__region")
        .distinct()
        .order_by("pk")[:5]
    )
    if len(applications) < 3:
        return False
    rng = random.Random(18)
    public = _public(office, campaign, applications, rng)
    _staff(office, campaign, applications, rng)
    for application in applications[:2]:
        target = public.targets.get(unit=application.unit)
        mapping = public.versions.get().mappings.get()
        figure_record(actor=office, mapping=mapping, target=target, application=application)
    return True


def _public(
    office: User, campaign: Campaign, applications: list[Application], rng: random.Random
) -> Questionnaire:
    q = questionnaire_create(actor=office, campaign=campaign, title=PUBLIC_TITLE, audience="public")
    version = q.versions.get()
    first = version.sections.get()
    specs = [
        QuestionSpec("Q1", "您对该单位的服务质量是否满意", "satisfaction"),
        QuestionSpec("Q2", "您对该单位工作人员的工作作风是否满意", "satisfaction"),
        QuestionSpec("Q3", "您对该单位办事效率是否满意", "satisfaction"),
        QuestionSpec("Q4", "您对窗口环境的评分", "rating"),
        QuestionSpec(
            "Q5", "您不满意的主要原因是", "multiple",
            options=["等待时间长", "态度生硬", "手续繁琐", "其他"],
            show_if_key="Q1", show_if_values=["不满意"],
        ),
        QuestionSpec("Q6", "您还有什么意见和建议", "text", required=False),
    ]  # fmt: skip
    for spec in specs[:3]:
        question_add(actor=office, version=version, section=first, spec=spec)
    more = section_add(actor=office, version=version, title="补充问题")
    for spec in specs[3:]:
        question_add(actor=office, version=version, section=more, spec=spec)
    mapping_set(actor=office, version=version, code="D2.3", keys=["Q1", "Q2", "Q3"])
    targets = [
        target_add(actor=office, questionnaire=q, unit=a.unit, quota=60) for a in applications
    ]
    version_open(actor=office, version=version)
    remarks = ["希望延长周末办理时间", "工作人员很耐心", "停车不方便", "网上预约很方便"]
    now = timezone.now()
    for i, target in enumerate(targets):
        good = [0.93, 0.8, 0.7, 0.88, 0.6][i % 5]
        for n in range(rng.randint(28, 45)):
            answers: dict[str, list[str]] = {}
            for key in ("Q1", "Q2", "Q3"):
                roll = rng.random()
                answers[key] = [
                    "满意" if roll < good else "基本满意" if roll < good + 0.15 else "不满意"
                ]
            answers["Q4"] = [rng.choice(["5", "5", "4", "4", "3", "2"])]
            if answers["Q1"] == ["不满意"]:
                answers["Q5"] = [rng.choice(["等待时间长", "态度生硬", "手续繁琐"])]
            if rng.random() < 0.2:
                answers["Q6"] = [rng.choice(remarks)]
            fast = n % 17 == 5  # a few too fast
            at = now - timedelta(minutes=rng.randint(1, 2700))  # over the last two days
            started = started_stamp(at - timedelta(seconds=8 if fast else rng.randint(60, 300)))
            submit(
                Submission(
                    questionnaire=q, target=target, token=None, device=f"demo-{i}-{n}",
                    answers=answers, started=started,
                ),
                now=at,
            )  # fmt: skip
    for response in Response.objects.filter(version=version, flagged=True)[:2]:
        response_exclude(actor=office, response=response, reason="作答用时过短,经核实为无效答卷")
    return q


def _staff(
    office: User, campaign: Campaign, applications: list[Application], rng: random.Random
) -> None:
    q = questionnaire_create(actor=office, campaign=campaign, title=STAFF_TITLE, audience="staff")
    version = q.versions.get()
    section = version.sections.get()
    for spec in (
        QuestionSpec("1", "您是否了解本单位创建文明单位的目标任务", "single", options=["了解", "基本了解", "不了解"], weights={"了解": "1", "基本了解": "0.8", "不了解": "0"}),
        QuestionSpec("2", "您对本单位创建工作的认可程度", "satisfaction"),
        QuestionSpec("3", "本年度您参加志愿服务的次数", "number"),
    ):  # fmt: skip
        question_add(actor=office, version=version, section=section, spec=spec)
    mapping_set(actor=office, version=version, code="B3.3", keys=["1", "2"])
    now = timezone.now()
    for i, application in enumerate(applications[:3]):
        target = target_add(actor=office, questionnaire=q, unit=application.unit, quota=30)
        if i == 0:
            version_open(actor=office, version=version)
        for n in range(rng.randint(12, 20)):
            submit(
                Submission(
                    questionnaire=q, target=target, token=None, device=f"staff-{i}-{n}",
                    answers={
                        "1": [rng.choice(["了解", "了解", "基本了解", "不了解"])],
                        "2": [rng.choice(["满意", "满意", "基本满意", "不满意"])],
                        "3": [str(rng.randint(0, 12))],
                    },
                    started=started_stamp(now - timedelta(seconds=rng.randint(40, 200))),
                ),
                now=now,
            )  # fmt: skip
