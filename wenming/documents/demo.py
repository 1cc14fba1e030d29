"""Demo data for the campaign documents: last year's finished district campaign (evaluated,
published, named) so that the office sees bulletin, publicity list, certificates and score
sheets. (This year's campaign, in every state of the chain, is loaded by ``wenming.demo``.)"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.assessments.models import AssessmentStatus, Entry, SelfAssessment
from wenming.assessments.scoring import results_data, scorecard_of
from wenming.campaigns.models import Application, State
from wenming.campaigns.publicity import campaign_approve, campaign_publish
from wenming.campaigns.services import (
    CampaignInput,
    application_pass,
    campaign_create,
    campaign_open,
    evaluation_record,
)
from wenming.core.samples import sample_value, sampled
from wenming.core.styles.measured import Measured
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.organizations.models import Region, Unit, UnitType

FINDINGS = ["现场查看发现设施破损", "台账记录与实际不符", "部分资料缺少佐证", "功能室使用记录不全"]


def load_campaign(people: dict[str, User]) -> None:
    rng = random.Random(11)
    office, admin = people["district_office"], people["admin"]
    east = Region.objects.get(code="420102")
    standard = FrameworkEdition.objects.get(code="school-standard")
    today = timezone.localdate() - timedelta(days=400)  # last year's campaign, named last autumn
    campaign = campaign_create(
        actor=office,
        data=CampaignInput(
            name=f"{today.year}年江东区义务教育标准化学校评估",
            year=today.year,
            level="district",
            region=east,
            edition=standard,
            unit_types=[UnitType.objects.get(name="学校")],
            apply_from=today - timedelta(days=90),
            apply_until=today - timedelta(days=60),
            rectify_months=24,
            chain=[
                {"key": "supervisor", "label": "主管部门审核", "role": "supervisor"},
                {"key": "evaluate", "label": "县级评估", "role": "office", "level": 3,
                 "result": True},
            ],
        ),
    )  # fmt: skip
    campaign_open(actor=office, campaign=campaign)
    schools = Unit.objects.filter(
        region__path__startswith=east.path, unit_type__name="学校", stage__in=["小学", "初中"]
    ).order_by("name")[:8]
    engine = engine_of(standard)
    for n, school in enumerate(schools):
        assessment = SelfAssessment.objects.create(
            unit=school, edition=standard, as_of=today - timedelta(days=70), created_by=admin
        )
        fill_entries(assessment, admin, rng)
        card, _ = scorecard_of(assessment, assessment.entries.all())
        SelfAssessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.SUBMITTED,
            submitted_by=admin,
            submitted_at=timezone.now(),
            total_centi=card.total if card else 0,
            grade=card.grade if card else "",
        )
        application = Application.objects.create(
            campaign=campaign, unit=school, assessment=assessment, state=State.IN_REVIEW,
            step="evaluate", region_path=school.region_path, supervisor=school.supervisor,
        )  # fmt: skip
        data = results_data(assessment, assessment.entries.all())
        # the evaluation team finds a little more than the unit did
        deductions = [c for c, s in engine.styles.items() if s.key == "deduction"]
        harsh = n % 4 == 3  # two of eight fall short: 基本达标, rectified after naming
        k = min(len(deductions), 20 if harsh else rng.randint(2, 12))
        for code in rng.sample(deductions, k=k):
            value = rng.randint(2, 4) if harsh else rng.randint(1, 3)
            data["items"][code] = {"value": str(value), "reason": rng.choice(FINDINGS)}
        evaluation_record(actor=office, application=application, data=data, source="paper")
        application.refresh_from_db()
        application_pass(actor=office, application_id=application.pk, version=application.version)
    campaign_publish(actor=office, campaign=campaign, start=today - timedelta(days=30))
    campaign.refresh_from_db()
    campaign_approve(actor=office, campaign=campaign, today=today)


def fill_entries(assessment: SelfAssessment, user: User, rng: random.Random) -> None:
    """Every item of the self-assessment, as demo values (stored directly: the demo's own)."""
    engine = engine_of(assessment.edition)
    rows = []
    for code, style in engine.styles.items():
        if code in engine.bonus_codes:
            continue
        reason = ""
        if style.key == "deduction":
            value = rng.choice(["0"] * 6 + ["1"])
            reason = "台账资料不全" if value != "0" else ""
        elif sampled(style):
            value = sample_value(style, rng)
        elif style.key == "letter":
            value = rng.choice("AAAB")
        elif style.key == "yesno":
            value = "是"
        elif style.key == "direct":
            value = str(style.points // 100)
        else:
            assert isinstance(style, Measured)
            value = "12" if style.p.direction == "lower" else "400000"
        rows.append(
            Entry(assessment=assessment, code=code, value=value, reason=reason, updated_by=user)
        )
    Entry.objects.bulk_create(rows)
