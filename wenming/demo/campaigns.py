"""Demo data: this year's campaign of 江东区 in every state of the review chain."""

from __future__ import annotations

import random
from datetime import timedelta
from fractions import Fraction

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.assessments.scoring import results_data
from wenming.assessments.services import self_assessment_start, self_assessment_submit
from wenming.campaigns import services as cs
from wenming.campaigns.models import SignatureRole
from wenming.campaigns.results import targets_set
from wenming.core.draw import Rules
from wenming.demo.assessments import assessment_fill
from wenming.demo.city import person
from wenming.draws.services import draw_candidates, draw_record
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.onsite.demo import demo_onsite
from wenming.onsite.selectors import assignable_applications
from wenming.organizations.models import Region, Unit, UnitType
from wenming.titles.models import TitleSource
from wenming.titles.services import title_grant


def campaigns_load(people: dict[str, User]) -> None:
    """A school-standardization campaign of 江东区 in every state of the review chain, through
    the services (each school gets its own demo accounts), and earlier titles of 江东区 units
    imported as history (for eligibility and this year's 复查)."""
    rng = random.Random(11)
    today = timezone.localdate()
    east = Region.objects.get(code="420102")
    office, city_office = people["district_office"], people["city_office"]
    standard = FrameworkEdition.objects.get(code="school-standard")
    engine = engine_of(standard)
    campaign = cs.campaign_create(
        actor=office,
        data=cs.CampaignInput(
            name=f"{today.year}年江东区义务教育标准化学校评估",
            year=today.year,
            level="district",
            region=east,
            edition=standard,
            unit_types=[UnitType.objects.get(name="学校")],
            apply_from=today - timedelta(days=40),
            apply_until=today + timedelta(days=20),
            target_percent=30,
            naming={"初中": 2, "小学": 3},
        ),
    )
    cs.campaign_open(actor=office, campaign=campaign)
    targets_set(
        actor=office,
        campaign=campaign,
        regions={r.pk: 2 for r in east.children.all()},
        supervisors={Unit.objects.get(name="江东区教育局").pk: 5},
    )
    schools = Unit.objects.filter(region__parent=east, unit_type__name="学校").order_by("name")
    # where each school stops: 0 prepared … 5 through the city's re-check
    stops = [5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1, 0, 5, 5, 3, 2]
    waiting = []  # (application, stop, assessment) at the evaluation step
    for n, (school, stop) in enumerate(zip(schools, stops, strict=False)):
        actor = person(f"school{n + 1:02d}", f"{school.name} 管理员", Role.UNIT_ADMIN, unit=school)
        for role in (Role.UNIT_HEAD, Role.UNIT_FILLER):
            RoleGrant.objects.get_or_create(user=actor, role=role, region=None, unit=school)
        assessment = SelfAssessment.objects.filter(
            unit=school, edition=standard, status=AssessmentStatus.SUBMITTED
        ).first()
        if assessment is None:  # (schools of last year's campaign keep their submitted one)
            assessment = self_assessment_start(actor=actor, unit=school, edition=standard)
            assessment_fill(assessment, actor, rng)
            self_assessment_submit(actor=actor, assessment_id=assessment.pk)
        application = cs.application_prepare(actor=actor, campaign=campaign, unit=school)
        if stop == 0:
            continue
        cs.application_sign(actor=actor, application=application, role=SignatureRole.HEAD)
        application = cs.application_submit(
            actor=actor, application_id=application.pk, version=application.version
        )
        for step, reviewer in ((2, people["supervisor"]), (3, office)):
            if stop >= step:
                application = cs.application_pass(
                    actor=reviewer, application_id=application.pk, version=application.version
                )
        if stop >= 3:
            waiting.append((application, stop, assessment))
    # the on-site draw among the applications in review: half of each kind of school
    strata = {c.stratum for c in draw_candidates(campaign)}
    draw_record(
        actor=office, campaign=campaign, rules=Rules(shares={k: Fraction(1, 2) for k in strata})
    )
    drawn = set(assignable_applications(campaign).values_list("pk", flat=True))
    for application, stop, assessment in waiting:
        if application.pk in drawn or stop < 4:
            continue  # drawn units wait for the on-site team (wenming.onsite.demo)
        # the team's paper sheet: the self-assessment with the deductions the experts found
        data = results_data(assessment, SelfAssessment.objects.get(pk=assessment.pk).entries.all())
        weak = rng.random()
        for code, style in engine.styles.items():
            if style.key == "deduction" and code in data["items"] and rng.random() < weak:
                data["items"][code] = {
                    "value": str(rng.randint(2, 6)),
                    "reason": "现场查看发现问题",
                }
        cs.evaluation_record(actor=office, application=application, data=data, source="paper")
        application.refresh_from_db()
        application = cs.application_pass(
            actor=office, application_id=application.pk, version=application.version
        )
        if stop >= 5:
            cs.application_pass(
                actor=city_office, application_id=application.pk, version=application.version
            )
    demo_onsite(office, people["expert"], campaign)
    # earlier titles of 江东区 units, as imported from the lists of past years
    for year, name in ((today.year - 1, "江东区民政局"), (today.year - 2, "江东区图书馆")):
        title_grant(
            actor=office,
            unit=Unit.objects.get(name=name),
            name=f"{year}年度区级文明单位",
            kind="文明单位",
            level="district",
            year=year,
            term_years=3,
            naming_authority=east,
            source=TitleSource.IMPORTED,
        )
