"""Chasing problems: escalation up the supervising chain when overdue (督办升级) and formal
督办 notices with a reply deadline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.audit.services import audit_record
from wenming.notices.services import notice_send, notices_mark_replied
from wenming.organizations.models import Unit
from wenming.rectification.access import can_supervise, is_member
from wenming.rectification.models import (
    Problem,
    ProblemStep,
    StepAction,
    SupervisionNotice,
)
from wenming.rectification.services import base
from wenming.rectification.services.base import (
    NOT_SUPERVISOR,
    ProblemRefused,
    S,
    chain_of,
    chaser_fields,
)
from wenming.rectification.transitions import problem_overdue_fire

# -- escalation (督办升级) ---------------------------------------------------------------


def grace_days() -> int:
    return int(getattr(settings, "ESCALATION_GRACE_DAYS", 3))


def problems_escalate(*, today: date | None = None) -> int:
    """Move every open problem overdue by more than the grace period one level up its chain
    (and again after each further grace period). Returns how many were escalated."""
    today = today or timezone.localdate()
    grace = timedelta(days=grace_days())
    candidates = (
        Problem.objects.exclude(state=S.CLOSED)
        .filter(deadline__lt=today - grace)
        .select_related("unit")
        .only("id", "state", "deadline", "escalation_level", "escalated_on", "unit")
    )
    count = 0
    for problem in candidates.iterator():
        since = problem.escalated_on or problem.deadline
        if since + grace >= today:
            continue
        if _escalate_one(problem, today):
            count += 1
    return count


@transaction.atomic
def _escalate_one(problem: Problem, today: date) -> bool:
    chain = chain_of(problem.unit)
    level = problem.escalation_level + 1
    if level >= len(chain):
        return False  # already with the top of the chain
    fields = chaser_fields(chain, level)
    changed = (
        Problem.objects.filter(pk=problem.pk, escalation_level=problem.escalation_level)
        .exclude(state=S.CLOSED)
        .update(escalation_level=level, escalated_on=today, **fields)
    )
    if not changed:
        return False
    kind, key = chain[level]
    to = (
        Unit.objects.get(pk=key).name
        if kind == "body"
        else f"{RoleGrant.objects.filter(region_id=key).select_related('region').first().region.name}测评办公室"  # type: ignore[union-attr]
    )
    overdue_days = (today - problem.deadline).days
    comment = f"逾期{overdue_days}天,升级至{to}督办(第{level}级)"
    ProblemStep.objects.create(
        problem=problem,
        action=StepAction.ESCALATE,
        from_state=problem.state,
        to_state=problem.state,
        actor=None,
        at=base.now(),
        comment=comment,
    )
    audit_record(
        actor=None,
        action="problem.escalate",
        obj=problem,
        field="escalation_level",
        old=problem.escalation_level,
        new=level,
        comment=comment,
    )
    problem_overdue_fire(problem.pk, level, overdue_days)
    return True


# -- 督办 notices ------------------------------------------------------------------------


@transaction.atomic
def supervision_notice_send(
    *,
    actor: User,
    unit: Unit,
    problems: Iterable[Problem],
    title: str,
    body: str = "",
    reply_due: date,
) -> SupervisionNotice:
    """A formal 督办 notice to ``unit`` about some of its problems, with a reply deadline."""
    if not can_supervise(actor, unit):
        raise ProblemRefused(NOT_SUPERVISOR.format(action="发送督办通知"))
    chosen = list(problems)
    if not chosen:
        raise ProblemRefused("请选择要督办的问题")
    if any(p.unit_id != unit.pk for p in chosen):
        raise ProblemRefused("督办的问题须属于同一责任单位")
    if not title.strip():
        raise ProblemRefused("请填写督办事项")
    if reply_due < timezone.localdate():
        raise ProblemRefused("回复期限不能早于今天")
    notice = SupervisionNotice.objects.create(
        unit=unit, title=title.strip()[:200], body=body.strip(), reply_due=reply_due, sent_by=actor
    )
    notice.problems.set(chosen)
    # an in-app notice to the unit's head and administrators and the problems' responsible
    # people; the reply itself is recorded on the 督办 notice (its to-do comes from todo.py)
    from django.urls import reverse

    leads = User.objects.filter(
        grants__unit=unit, grants__role__in=[Role.UNIT_HEAD, Role.UNIT_ADMIN]
    )
    named = User.objects.filter(pk__in=[p.responsible_id for p in chosen if p.responsible_id])
    notice_send(
        actor=actor,
        recipients=[*leads, *named],
        title=f"督办通知:{notice.title}",
        body=f"{notice.body}\n请于{reply_due.isoformat()}前回复。".strip(),
        url=reverse("rectification:notice", args=[notice.pk]),
        kind="supervision",
        obj=notice,
        reply_due=reply_due,  # shown with the notice; the reply is made on the 督办 page
    )
    audit_record(
        actor=actor,
        action="supervision.send",
        obj=notice,
        new=f"{unit.name},{len(chosen)}个问题,{reply_due.isoformat()}前回复",
    )
    return notice


@transaction.atomic
def supervision_notice_reply(*, actor: User, notice: SupervisionNotice, reply: str) -> None:
    if not is_member(actor, notice.unit_id):
        raise ProblemRefused("只有被督办单位的人员可以回复")
    if not reply.strip():
        raise ProblemRefused("请填写回复内容")
    changed = SupervisionNotice.objects.filter(pk=notice.pk, replied_at__isnull=True).update(
        reply=reply.strip(), replied_by=actor, replied_at=base.now()
    )
    if not changed:
        raise ProblemRefused("该督办通知已回复")
    audit_record(
        actor=actor, action="supervision.reply", obj=notice, field="回复", new=reply.strip()
    )
    notices_mark_replied(obj=notice, text=reply.strip())
