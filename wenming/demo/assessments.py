"""Demo data: self-assessments in several states and a unit's ledger of activities."""

from __future__ import annotations

import io
import random
from datetime import date

from django.contrib.auth.models import User

from wenming.assessments.models import SelfAssessment
from wenming.assessments.services import (
    entry_save,
    self_assessment_return,
    self_assessment_start,
    self_assessment_submit,
)
from wenming.attachments.detect import image_bytes
from wenming.core.samples import sample_value, sampled
from wenming.core.styles.measured import Measured
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.ledger.services import ActivityInput, activity_create, activity_types
from wenming.organizations.models import Unit


def assessment_fill(
    assessment: SelfAssessment, user: User, rng: random.Random, share: float = 1.0
) -> None:
    engine = engine_of(assessment.edition)
    for code, style in engine.styles.items():
        if code in engine.bonus_codes or rng.random() > share:
            continue
        value: str
        reason = ""
        if style.key == "deduction":
            value = rng.choice(["0"] * 6 + ["1", "2"])
            reason = "台账资料不全" if value != "0" else ""
        elif sampled(style):
            value = sample_value(style, rng, weak=rng.random() < 0.15)
        elif style.key == "letter":
            value = rng.choice("AAAB")
        elif style.key == "yesno":
            value = "是" if rng.random() < 0.95 else "否"
        elif style.key == "direct":
            value = str(max(0, style.points // 100 - rng.choice([0, 0, 1])))
        else:
            assert isinstance(style, Measured)
            direction = style.p.direction
            value = str(
                rng.choice([12, 15]) if direction == "lower" else rng.randint(20000, 400000)
            )
        entry_save(actor=user, assessment_id=assessment.pk, code=code, value=value, reason=reason)


def assessments_load(people: dict[str, User]) -> None:
    rng = random.Random(7)
    school = Unit.objects.get(name="江东区九年一贯制学校")
    standard = FrameworkEdition.objects.get(code="school-standard")
    # a submitted, then returned, self-assessment with its reopened draft
    first = self_assessment_start(actor=people["filler"], unit=school, edition=standard)
    assessment_fill(first, people["filler"], rng)
    self_assessment_submit(actor=people["unit_admin"], assessment_id=first.pk)
    self_assessment_return(
        actor=people["supervisor"],
        assessment_id=first.pk,
        reason="生均图书册数请附图书登记台账后重新核对",
    )
    # a draft half filled for the civil-affairs bureau
    bureau = Unit.objects.get(name="江东区民政局")
    civic = FrameworkEdition.objects.get(code="civilized-unit")
    draft = self_assessment_start(actor=people["filler2"], unit=bureau, edition=civic)
    assessment_fill(draft, people["filler2"], rng, share=0.5)
    _ledger_load(bureau, civic, people["filler2"])


LEDGER = [
    ("中心组学习", "党组理论学习中心组第{n}次集中学习", ["A1.2", "B1.1"], 1),
    ("志愿服务", "“学雷锋”志愿服务进社区(第{n}次)", ["C1.2"], 2),
    ("道德讲堂", "道德讲堂:身边好人故事分享(第{n}期)", ["B2.2"], 2),
    ("文体活动", "职工健步走活动(第{n}次)", ["C3.2"], 1),
    ("理论学习", "读书分享会(第{n}次)", ["C3.1"], 1),
]


def _ledger_load(unit: Unit, edition: FrameworkEdition, user: User) -> None:
    kinds = {t.name: t for t in activity_types()}
    department = unit.departments.first()
    colors = ["#b3261e", "#0b57d0", "#1a7f37", "#8a6100", "#6b7280"]
    for index, (kind, title, codes, photos) in enumerate(LEDGER):
        for n in range(1, 4):
            day = date(2026, min(12, 1 + (n - 1) * 3 + index % 3), 8 + index)
            files = [
                (
                    f"活动照片{n}-{p + 1}.jpg",
                    io.BytesIO(image_bytes(colors[(index + n + p) % 5], (320 + p, 240))),
                )
                for p in range(photos)
            ]
            activity_create(
                actor=user,
                unit=unit,
                data=ActivityInput(
                    activity_type=kinds[kind],
                    title=title.format(n=n),
                    day=day,
                    place="单位会议室",
                    department=department,
                    participants=20 + n * 5,
                    description="活动按计划开展,记录完整。",
                ),
                links=[(edition, code) for code in codes],
                files=files,
            )
