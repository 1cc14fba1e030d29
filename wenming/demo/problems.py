"""Demo data: rectification problems in every state."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.organizations.models import Unit
from wenming.rectification import services as rect
from wenming.rectification.models import ProblemSource, Severity
from wenming.rectification.services import base as rect_clock


def problems_load(people: dict[str, User]) -> None:
    """A few hundred problems over the last five months, in every state, through the services
    (their clock set to the day each step happened)."""
    rng = random.Random(5)
    zone = ZoneInfo("Asia/Shanghai")
    today = timezone.localdate()
    admin = people["admin"]
    school = Unit.objects.get(name="江东区九年一贯制学校")
    civil = Unit.objects.get(name="江东区民政局")
    handlers = {school.pk: people["filler"], civil.pk: people["filler2"]}
    others = list(Unit.objects.exclude(name__contains="文明办").exclude(pk__in=handlers))
    titles = [
        ("校门口占道经营", ProblemSource.PATROL),
        ("公益广告破损", ProblemSource.PATROL),
        ("垃圾分类不规范", ProblemSource.RECHECK),
        ("窗口服务态度差", ProblemSource.COMPLAINT),
        ("宣传栏内容过期", ProblemSource.EXPERT),
        ("消防通道堵塞", ProblemSource.NEGATIVE),
        ("志愿服务台账不全", ProblemSource.SELF_ASSESSMENT),
    ]
    real_now = rect_clock.now
    try:
        for n in range(300):
            unit = rng.choice([school, civil]) if rng.random() < 0.6 else rng.choice(others)
            title, source = rng.choice(titles)
            found = today - timedelta(days=rng.randint(0, 150))
            day = found

            def at(d: date) -> None:
                moment = datetime.combine(d, time(10), tzinfo=zone)
                rect_clock.now = lambda: moment  # the demo's clock

            at(found)
            problem = rect.problem_create(
                actor=admin,
                unit=unit,
                source=source,
                title=f"{title}(第{n + 1}号)",
                severity=rng.choice(list(Severity)),
                found_on=found,
                complainant="市民 139****0000" if source == ProblemSource.COMPLAINT else "",
            )
            steps = (
                rng.choice([0, 1, 2, 3, 4, 5, 6, 6, 6, 6])
                if unit.pk in handlers
                else rng.randint(0, 2)
            )
            for step in range(steps):
                day = min(today, day + timedelta(days=rng.randint(0, 12)))
                at(day)
                if step == 0:
                    rect.problem_accept(actor=admin, problem=problem)
                elif step == 1:
                    rect.problem_assign(
                        actor=admin, problem=problem, responsible=handlers.get(unit.pk)
                    )
                elif step == 2:
                    rect.problem_handle(
                        actor=handlers[unit.pk], problem=problem, fix="已按要求整改,附整改后照片"
                    )
                elif step == 3 and rng.random() < 0.15:
                    rect.problem_return(
                        actor=admin, problem=problem, reason="整改不彻底,请重新整改"
                    )
                    rect.problem_handle(actor=handlers[unit.pk], problem=problem, fix="已重新整改")
                elif step == 4:
                    rect.problem_verify(actor=people["district_office"], problem=problem)
                    if source == ProblemSource.COMPLAINT:
                        reached = rng.random() < 0.9
                        rect.problem_call_back(
                            actor=admin,
                            problem=problem,
                            reached=reached,
                            satisfied=(rng.random() < 0.85) if reached else None,
                        )
                elif step == 5:
                    rect.problem_close(actor=admin, problem=problem)
    finally:
        rect_clock.now = real_now
    rect.problems_escalate(today=today)
