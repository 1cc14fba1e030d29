"""Demo data for on-site evaluation: a campaign under evaluation, a team led by the demo
``expert`` login, two schools assigned, one fully scored by three experts, one begun."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.assessments.models import AssessmentStatus, Entry, EntryKind, SelfAssessment
from wenming.assessments.scoring import scorecard_of
from wenming.campaigns.models import Application, Campaign, Phase, State
from wenming.campaigns.services import DEFAULT_CHAIN
from wenming.core.styles import UnitProfile
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.onsite.assignments import assignment_create
from wenming.onsite.scoring import score_record
from wenming.onsite.teams import expert_save, onsite_settings_save, team_create
from wenming.organizations.models import Region, Unit, UnitType


def _value(style: object, rng: random.Random) -> tuple[str, str]:
    key = getattr(style, "key", "")
    points = getattr(style, "points", 0)
    if key == "deduction":
        found = rng.choice([0, 0, 0, 0, 1, 2])
        return str(found), "现场发现制度执行不到位" if found else ""
    if key == "letter":
        grade = rng.choice("AAAB")
        return grade, "" if grade == "A" else "部分班级落实不到位"
    if key == "yesno":
        return ("是", "") if rng.random() < 0.93 else ("否", "现场未见相关记录")
    if key == "direct":
        lost = rng.choice([0, 0, 1])
        return str(max(0, points // 100 - lost)), "材料不完整"
    direction = getattr(getattr(style, "p", None), "direction", "higher")
    value = str(rng.choice([12, 15])) if direction == "lower" else str(rng.randint(20000, 400000))
    return value, "实测未达到标准"


def demo_onsite(office: User, expert_user: User) -> None:
    rng = random.Random(77)
    edition = FrameworkEdition.objects.get(code="school-standard")
    east = Region.objects.get(code="420102")
    schools = list(
        Unit.objects.filter(region_path__startswith=east.path, unit_type__name="学校")
        .exclude(name="江东区九年一贯制学校")
        .exclude(stage="")
        .order_by("region_path", "name")[:3]
    )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=f"{today.year}年江东区义务教育标准化学校评估(现场测评演示)",
        year=today.year,
        level="district",
        region=east,
        edition=edition,
        apply_from=today - timedelta(days=60),
        apply_until=today - timedelta(days=10),
        chain=DEFAULT_CHAIN,
        phase=Phase.OPEN,
        created_by=office,
    )
    campaign.unit_types.set(UnitType.objects.filter(name="学校"))
    engine = engine_of(edition)
    applications = []
    for unit in schools:
        assessment = SelfAssessment.objects.create(
            unit=unit,
            edition=edition,
            status=AssessmentStatus.SUBMITTED,
            as_of=today - timedelta(days=15),
            created_by=office,
        )
        entries = []
        for code, style in engine.styles.items():
            if code in engine.bonus_codes:
                continue
            value, reason = _value(style, rng)
            entries.append(
                Entry(
                    assessment=assessment,
                    code=code,
                    kind=EntryKind.ITEM,
                    value=value,
                    reason=reason,
                    updated_by=office,
                )
            )
        Entry.objects.bulk_create(entries)
        card, _ = scorecard_of(assessment, entries)
        if card is not None:
            SelfAssessment.objects.filter(pk=assessment.pk).update(
                total_centi=card.total, grade=card.grade
            )
        applications.append(
            Application.objects.create(
                campaign=campaign,
                unit=unit,
                assessment=assessment,
                state=State.IN_REVIEW,
                step="evaluate",
                region_path=unit.region_path,
                supervisor=unit.supervisor,
            )
        )
    onsite_settings_save(actor=office, campaign=campaign, rule="mean", exclude_own_township=True)
    people = [(expert_user, "孙教授", "学校管理")]
    for username, name, field in (
        ("expert2", "李研究员", "教育装备"),
        ("expert3", "周督学", "校园安全"),
    ):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": f"测评专家 {name}"}
        )
        if created:
            user.password = expert_user.password  # the same demo password (already hashed)
            user.save()
        RoleGrant.objects.get_or_create(user=user, role=Role.EXPERT)
        people.append((user, name, field))
    experts = [
        expert_save(actor=office, user=u, name=n, region=east, specialties=f) for u, n, f in people
    ]
    team = team_create(
        actor=office, campaign=campaign, name="第一组", leader=experts[0], members=experts[1:]
    )
    first = assignment_create(actor=office, team=team, application=applications[0])
    second = assignment_create(actor=office, team=team, application=applications[1])
    now = timezone.now()
    profile = UnitProfile(stage=schools[0].stage or None, enrolment=schools[0].enrolment)
    for n, expert in enumerate(experts):
        for code, style in engine.styles.items():
            if code in engine.bonus_codes:
                continue
            value, reason = _value(style, rng)
            if style.score(engine.parse_item(code, value).value, profile) == style.points:
                reason = ""
            score_record(
                actor=expert.user,
                entry={
                    "client_id": str(uuid.uuid4()),
                    "assignment": first.pk,
                    "code": code,
                    "value": value,
                    "reason": reason,
                    "entered_at": (now - timedelta(minutes=90 - n)).isoformat(),
                },
            )
    for code in list(engine.styles)[:5]:  # the second school: the leader has begun
        value, reason = _value(engine.styles[code], rng)
        score_record(
            actor=expert_user,
            entry={
                "client_id": str(uuid.uuid4()),
                "assignment": second.pk,
                "code": code,
                "value": value,
                "reason": reason,
                "entered_at": now.isoformat(),
            },
        )
