"""Demo data for on-site evaluation: in this year's demo campaign, a team led by the demo
``expert`` login, two drawn schools assigned, one fully scored by three experts, one begun."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.campaigns.models import Campaign
from wenming.core.samples import sample_value, sampled
from wenming.core.styles import ScoringStyle, UnitProfile
from wenming.frameworks.selectors import engine_of
from wenming.onsite.assignments import assignment_create
from wenming.onsite.scoring import score_record
from wenming.onsite.selectors import assignable_applications
from wenming.onsite.teams import expert_save, onsite_settings_save, team_create


def _value(style: object, rng: random.Random) -> tuple[str, str]:
    key = getattr(style, "key", "")
    points = getattr(style, "points", 0)
    if key == "deduction":
        found = rng.choice([0, 0, 0, 0, 1, 2])
        return str(found), "现场发现制度执行不到位" if found else ""
    if isinstance(style, ScoringStyle) and sampled(style):
        weak = rng.random() < 0.15
        return sample_value(style, rng, weak=weak), "现场发现问题" if weak else ""
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


def demo_onsite(office: User, expert_user: User, campaign: Campaign) -> None:
    """The team goes to the drawn units that wait on the evaluation step (at least two)."""
    rng = random.Random(77)
    edition = campaign.edition
    east = campaign.region
    engine = engine_of(edition)
    applications = list(
        assignable_applications(campaign)
        .filter(step="evaluate")
        .select_related("unit")
        .order_by("region_path", "unit__name")[:2]
    )
    schools = [a.unit for a in applications]
    if len(applications) < 2:
        return  # the draw picked fewer than two schools at this step: no on-site demo
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
    profile = UnitProfile(stage=schools[1].stage or None, enrolment=schools[1].enrolment)
    for code in list(engine.styles)[:5]:  # the second school: the leader has begun
        style = engine.styles[code]
        value, reason = _value(style, rng)
        if style.score(engine.parse_item(code, value).value, profile) == style.points:
            reason = ""
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
