"""A problem's life: create, the lifecycle transitions (受理 → 交办 → 办理 → 核查 → 回访 → 结案), edits
and evidence.

Every transition is one atomic service: it checks the actor's role and region, moves the state
with a compare-and-set update (``UPDATE … WHERE state = old``, so a double click applies once),
writes a ProblemStep and the audit trail, stores the step's files through the attachment store
and brings the tallies (month, quarter, year) up to date in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction

from wenming.audit.services import audit_record
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit
from wenming.rectification.access import can_handle, can_supervise, is_member, is_unit_lead
from wenming.rectification.models import (
    CALLED_BACK,
    Problem,
    ProblemSource,
    ProblemStep,
    RectificationPlan,
    Severity,
    StepAction,
)
from wenming.rectification.services import base
from wenming.rectification.services.base import (
    DEADLINE_BEFORE,
    FIELD_LABELS,
    FIX_NEEDED,
    MERGE_TARGET,
    NO_REPORT,
    NOT_COMPLAINT,
    NOT_HANDLER,
    NOT_SUPERVISOR,
    REASON_NEEDED,
    SAME_PERSON,
    STALE,
    Files,
    ProblemRefused,
    S,
    chain_of,
    chaser_fields,
    check_responsible,
    deadline_by_rule,
    files_store,
    local_day,
    origin_fields,
    step_record,
)
from wenming.rectification.services.tallies import tally_add
from wenming.rectification.transitions import PROBLEM, not_for


@transaction.atomic
def problem_create(
    *,
    actor: User,
    unit: Unit,
    source: str,
    title: str,
    description: str = "",
    severity: str = Severity.GENERAL,
    indicator_code: str | None = None,
    edition: FrameworkEdition | None = None,
    origin: models.Model | None = None,
    deadline: date | None = None,
    responsible: User | None = None,
    found_on: date | None = None,
    location: str = "",
    complainant: str = "",
    plan: RectificationPlan | None = None,
    files: Files = (),
    public_intake: bool = False,
) -> Problem:
    """Record a problem found (发现) at ``unit``; the deadline follows the severity rule unless
    given. Campaigns, on-site scoring and self-assessment create problems only through this.

    ``public_intake``: filed by the public (citizen reports, an external hotline) through a
    route an office set up (category → unit); ``actor`` is then the intake's own account and
    has no rights of its own to check."""
    if not public_intake and not (can_supervise(actor, unit) or is_member(actor, unit.pk)):
        raise ProblemRefused(NO_REPORT)
    if source not in ProblemSource.values:
        raise ProblemRefused(f"问题来源“{source}”无效")
    if severity not in Severity.values:
        raise ProblemRefused(f"严重程度“{severity}”无效")
    title = title.strip()
    if not title:
        raise ProblemRefused("请填写问题")
    check_responsible(unit, responsible)
    now = base.now()
    received_on = found_on or local_day(now)
    if plan is not None:
        if plan.unit_id != unit.pk:
            raise ProblemRefused("整改计划属于其他单位")
        deadline = deadline or plan.deadline
    by_rule = deadline is None
    deadline = deadline or deadline_by_rule(severity, received_on)
    if deadline < received_on:
        raise ProblemRefused(DEADLINE_BEFORE)
    problem = Problem.objects.create(
        unit=unit,
        region_path=unit.region_path,
        body_id=unit.supervisor_id,
        source=source,
        severity=severity,
        title=title[:200],
        description=description.strip(),
        location=location.strip()[:200],
        complainant=complainant.strip()[:100],
        indicator_code=(indicator_code or "").strip()[:40],
        edition=edition,
        plan=plan,
        received_on=received_on,
        deadline=deadline,
        deadline_by_rule=by_rule,
        responsible=responsible,
        created_by=actor,
        **origin_fields(origin),
        **chaser_fields(chain_of(unit), 0),
    )
    step_record(
        problem,
        actor=actor,
        action=StepAction.CREATE,
        old="",
        new=S.FOUND,
        at=now,
        comment=description.strip()[:500],
        files=files,
    )
    tally_add(problem, received=1)
    return problem


# -- transitions -------------------------------------------------------------------------


def _fresh(problem: Problem) -> Problem:
    return Problem.objects.select_related("unit").get(pk=problem.pk)


def _move(
    problem: Problem,
    *,
    actor: User,
    action: StepAction,
    to: str,
    now: datetime,
    comment: str = "",
    files: Files = (),
    **updates: Any,
) -> Problem:
    """Move ``problem`` by ``action`` (a row of ``PROBLEM``) to ``to``, only if it is still in
    the state it was read in; the step row, the audit event and the files in the same
    transaction."""
    old = problem.state
    PROBLEM.check(action.value, old, to=to, refuse=ProblemRefused)
    changed = Problem.objects.filter(pk=problem.pk, state=old).update(state=to, **updates)
    if not changed:
        raise ProblemRefused(STALE)
    step_record(
        problem,
        actor=actor,
        action=action,
        old=old,
        new=to,
        at=now,
        comment=comment,
        files=files,
    )
    problem.refresh_from_db()
    return problem


def _require_state(problem: Problem, action: StepAction) -> None:
    PROBLEM.check(action.value, problem.state, refuse=ProblemRefused)


def _require_supervisor(actor: User, problem: Problem, action: StepAction) -> None:
    if not can_supervise(actor, problem.unit):
        raise ProblemRefused(NOT_SUPERVISOR.format(action=action.label))


@transaction.atomic
def problem_accept(*, actor: User, problem: Problem, comment: str = "") -> Problem:
    """受理: an office or the supervising body takes the problem on."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.ACCEPT)
    _require_state(problem, StepAction.ACCEPT)
    return _move(
        problem,
        actor=actor,
        action=StepAction.ACCEPT,
        to=S.ACCEPTED,
        now=base.now(),
        comment=comment,
    )


@transaction.atomic
def problem_assign(
    *,
    actor: User,
    problem: Problem,
    responsible: User | None = None,
    deadline: date | None = None,
    comment: str = "",
) -> Problem:
    """分派: name the responsible person (and optionally a deadline by hand)."""
    problem = _fresh(problem)
    if not (can_supervise(actor, problem.unit) or is_unit_lead(actor, problem.unit_id)):
        raise ProblemRefused("只有测评办公室、主管部门或责任单位负责人、管理员可以分派")
    _require_state(problem, StepAction.ASSIGN)
    check_responsible(problem.unit, responsible)
    updates: dict[str, Any] = {"responsible": responsible}
    notes = [comment.strip()] if comment.strip() else []
    if responsible is not None:
        notes.append(f"责任人:{responsible.get_full_name() or responsible.username}")
    if deadline is not None and deadline != problem.deadline:
        if deadline < problem.received_on:
            raise ProblemRefused(DEADLINE_BEFORE)
        audit_record(
            actor=actor,
            action="problem.deadline",
            obj=problem,
            field="deadline",
            old=problem.deadline,
            new=deadline,
        )
        updates.update(deadline=deadline, deadline_by_rule=False)
        notes.append(f"整改期限:{deadline.isoformat()}")
    return _move(
        problem,
        actor=actor,
        action=StepAction.ASSIGN,
        to=S.ASSIGNED,
        now=base.now(),
        comment=";".join(notes),
        **updates,
    )


@transaction.atomic
def problem_handle(
    *, actor: User, problem: Problem, fix: str, measures: str = "", files: Files = ()
) -> Problem:
    """处理: the responsible side reports the fix (text, photos, files)."""
    problem = _fresh(problem)
    if not can_handle(actor, problem):
        raise ProblemRefused(NOT_HANDLER)
    _require_state(problem, StepAction.HANDLE)
    if not fix.strip():
        raise ProblemRefused(FIX_NEEDED)
    now = base.now()
    updates: dict[str, Any] = {"fix": fix.strip(), "handled_by": actor, "handled_at": now}
    if measures.strip():
        updates["measures"] = measures.strip()
    return _move(
        problem,
        actor=actor,
        action=StepAction.HANDLE,
        to=S.HANDLED,
        now=now,
        comment=fix.strip(),
        files=files,
        **updates,
    )


@transaction.atomic
def problem_verify(
    *, actor: User, problem: Problem, comment: str = "", files: Files = ()
) -> Problem:
    """核查通过: someone other than the handler confirms the fix."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.VERIFY)
    _require_state(problem, StepAction.VERIFY)
    if problem.handled_by_id == actor.pk:
        raise ProblemRefused(SAME_PERSON)
    now = base.now()
    return _move(
        problem,
        actor=actor,
        action=StepAction.VERIFY,
        to=S.VERIFIED,
        now=now,
        comment=comment,
        files=files,
        verified_by=actor,
        verified_at=now,
    )


@transaction.atomic
def problem_return(*, actor: User, problem: Problem, reason: str) -> Problem:
    """退回: verification finds the fix insufficient; back to the responsible side (处理)."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.RETURN)
    _require_state(problem, StepAction.RETURN)
    if not reason.strip():
        raise ProblemRefused(REASON_NEEDED)
    if problem.handled_by_id == actor.pk:
        raise ProblemRefused(SAME_PERSON)
    problem = _move(
        problem,
        actor=actor,
        action=StepAction.RETURN,
        to=S.ASSIGNED,
        now=base.now(),
        comment=reason.strip(),
        return_count=models.F("return_count") + 1,
        handled_by=None,
        handled_at=None,
    )
    tally_add(problem, returned=1)
    return problem


@transaction.atomic
def problem_call_back(
    *, actor: User, problem: Problem, reached: bool, satisfied: bool | None, comment: str = ""
) -> Problem:
    """回访: for a complaint, call the complainant back (reached? satisfied?)."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.CALL_BACK)
    if StepAction.CALL_BACK in not_for(problem, actor.pk):
        raise ProblemRefused(NOT_COMPLAINT)
    _require_state(problem, StepAction.CALL_BACK)
    if not reached:
        satisfied = None
    elif satisfied is None:
        raise ProblemRefused("联系上投诉人时须记录是否满意")
    said = "已联系上," + ("满意" if satisfied else "不满意") if reached else "未联系上"
    now = base.now()
    return _move(
        problem,
        actor=actor,
        action=StepAction.CALL_BACK,
        to=S.CALLED_BACK,
        now=now,
        comment=f"{said}{(';' + comment.strip()) if comment.strip() else ''}",
        callback_reached=reached,
        callback_satisfied=satisfied,
        called_back_at=now,
    )


@transaction.atomic
def problem_close(*, actor: User, problem: Problem, comment: str = "") -> Problem:
    """结案: only after verification, and for complaints only after the call-back."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.CLOSE)
    if StepAction.CLOSE in not_for(problem, actor.pk):
        raise ProblemRefused("投诉类问题须先回访才能结案")
    _require_state(problem, StepAction.CLOSE)
    now = base.now()
    closed_on = local_day(now)
    problem = _move(
        problem,
        actor=actor,
        action=StepAction.CLOSE,
        to=S.CLOSED,
        now=now,
        comment=comment,
        closed_at=now,
        closed_on=closed_on,
    )
    complaint = problem.source in CALLED_BACK
    days = (closed_on - problem.received_on).days
    tally_add(
        problem,
        closed=1,
        closed_on_time=int(closed_on <= problem.deadline),
        days_total=days,
        complaints_closed=int(complaint),
        callbacks_reached=int(complaint and bool(problem.callback_reached)),
        callbacks_satisfied=int(complaint and bool(problem.callback_satisfied)),
        close_days=days,
    )
    return problem


@transaction.atomic
def problem_merge(*, actor: User, problem: Problem, into: Problem, comment: str) -> Problem:
    """合并办理: close an open problem that repeats ``into`` (a citizen report marked as a
    duplicate of another); it is handled as ``into`` and counted closed, with no call-back."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.MERGE)
    if into.pk == problem.pk or into.merged_into_id is not None:
        raise ProblemRefused(MERGE_TARGET)
    _require_state(problem, StepAction.MERGE)
    now = base.now()
    closed_on = local_day(now)
    problem = _move(
        problem,
        actor=actor,
        action=StepAction.MERGE,
        to=S.CLOSED,
        now=now,
        comment=comment,
        closed_at=now,
        closed_on=closed_on,
        merged_into=into,
    )
    days = (closed_on - problem.received_on).days
    tally_add(
        problem,
        closed=1,
        closed_on_time=int(closed_on <= problem.deadline),
        days_total=days,
        close_days=days,
    )
    return problem


@transaction.atomic
def problem_update(
    *,
    actor: User,
    problem: Problem,
    title: str | None = None,
    description: str | None = None,
    severity: str | None = None,
    deadline: date | None = None,
    measures: str | None = None,
) -> Problem:
    """Edit an open problem: supervisors may change what it is and its deadline; the
    responsible side may write its rectification measures (整改方案)."""
    problem = _fresh(problem)
    supervisor = can_supervise(actor, problem.unit)
    owner = can_handle(actor, problem)
    if not (supervisor or owner):
        raise ProblemRefused("无权修改该问题")
    if problem.state == S.CLOSED:
        raise ProblemRefused("已结案的问题不能修改")
    wanted: dict[str, Any] = {}
    if measures is not None:
        wanted["measures"] = measures.strip()
    for name, value in (("title", title), ("description", description), ("severity", severity)):
        if value is not None:
            wanted[name] = value.strip()
    if deadline is not None:
        wanted["deadline"] = deadline
    if not supervisor and set(wanted) - {"measures"}:
        raise ProblemRefused("责任单位只能填写整改措施")
    if "title" in wanted and not wanted["title"]:
        raise ProblemRefused("请填写问题")
    if "severity" in wanted and wanted["severity"] not in Severity.values:
        raise ProblemRefused("严重程度无效")
    if "deadline" in wanted and wanted["deadline"] < problem.received_on:
        raise ProblemRefused(DEADLINE_BEFORE)
    changed = {k: v for k, v in wanted.items() if getattr(problem, k) != v}
    if not changed:
        return problem
    if "deadline" in changed:
        changed["deadline_by_rule"] = False
    for name, value in changed.items():
        if name == "deadline_by_rule":
            continue
        audit_record(
            actor=actor,
            action="problem.update",
            obj=problem,
            field=name,
            old=getattr(problem, name),
            new=value,
        )
    Problem.objects.filter(pk=problem.pk).update(**changed)
    ProblemStep.objects.create(
        problem=problem,
        action=StepAction.UPDATE,
        from_state=problem.state,
        to_state=problem.state,
        actor=actor,
        at=base.now(),
        comment="修改:" + "、".join(FIELD_LABELS[n] for n in changed if n in FIELD_LABELS),
    )
    problem.refresh_from_db()
    return problem


@transaction.atomic
def problem_attach(*, actor: User, problem: Problem, files: Files) -> None:
    """Add evidence (photos, files) to the problem itself."""
    problem = _fresh(problem)
    if not (can_supervise(actor, problem.unit) or can_handle(actor, problem)):
        raise ProblemRefused("无权为该问题上传材料")
    files_store(problem, owner=problem, files=files, actor=actor)
