"""Rectification plans: a unit's problems grouped under one deadline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.organizations.models import Unit
from wenming.rectification.access import can_supervise
from wenming.rectification.models import (
    Problem,
    RectificationPlan,
)
from wenming.rectification.services.base import (
    DEADLINE_BEFORE,
    NOT_SUPERVISOR,
    ProblemRefused,
    S,
    origin_fields,
)

# -- plans ------------------------------------------------------------------------------


@transaction.atomic
def rectification_plan_create(
    *,
    actor: User,
    unit: Unit,
    title: str,
    deadline: date,
    origin: models.Model | None = None,
) -> RectificationPlan:
    """A plan grouping a unit's problems under one deadline (e.g. 基本达标, 1–2 years)."""
    if not can_supervise(actor, unit):
        raise ProblemRefused(NOT_SUPERVISOR.format(action="制定整改计划"))
    if not title.strip():
        raise ProblemRefused("请填写整改计划名称")
    if deadline < timezone.localdate():
        raise ProblemRefused("整改期限不能早于今天")
    plan = RectificationPlan.objects.create(
        unit=unit,
        title=title.strip()[:200],
        deadline=deadline,
        created_by=actor,
        **origin_fields(origin),
    )
    audit_record(actor=actor, action="plan.create", obj=plan, new=f"期限{deadline.isoformat()}")
    return plan


@transaction.atomic
def plan_add_problems(*, actor: User, plan: RectificationPlan, problems: Iterable[Problem]) -> int:
    """Put open problems of the plan's unit into the plan; they take the plan's deadline."""
    if not can_supervise(actor, plan.unit):
        raise ProblemRefused(NOT_SUPERVISOR.format(action="调整整改计划"))
    added = 0
    for problem in problems:
        if problem.unit_id != plan.unit_id:
            raise ProblemRefused(f"问题“{problem.title}”不属于{plan.unit.name}")
        if problem.state == S.CLOSED or problem.plan_id == plan.pk:
            continue
        if plan.deadline < problem.received_on:
            raise ProblemRefused(DEADLINE_BEFORE)
        Problem.objects.filter(pk=problem.pk).update(
            plan=plan, deadline=plan.deadline, deadline_by_rule=False
        )
        audit_record(
            actor=actor,
            action="plan.add",
            obj=problem,
            field="plan",
            old=problem.plan_id or "",
            new=plan.title,
        )
        if problem.deadline != plan.deadline:  # the plan's deadline replaces the problem's
            audit_record(
                actor=actor,
                action="problem.deadline",
                obj=problem,
                field="deadline",
                old=problem.deadline,
                new=plan.deadline,
                comment=f"纳入整改计划“{plan.title}”",
            )
        added += 1
    return added
