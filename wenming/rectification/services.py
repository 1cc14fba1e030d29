"""Problem writes: create, the lifecycle transitions, plans, 督办 notices, escalation.

Every transition is one atomic service: it checks the actor's role and region, moves the state
with a compare-and-set update (``UPDATE … WHERE state = old``, so a double click applies once),
writes a ProblemStep and the audit trail, stores the step's files through the attachment store
and brings the tallies (month, quarter, year) up to date in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.attachments.detect import FileRejected
from wenming.attachments.services import attachment_store
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Unit
from wenming.rectification import histogram
from wenming.rectification.access import can_handle, can_supervise, is_member, is_unit_lead
from wenming.rectification.models import (
    DEADLINE_DAYS,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemStep,
    RectificationPlan,
    Severity,
    StepAction,
    SupervisionNotice,
    Tally,
    TallyKind,
    TallySpan,
)

S = ProblemState

# error messages (tests reuse them)
WRONG_STATE = "问题当前为“{state}”,不能{action}"
STALE = "该问题刚被他人处理,请刷新页面后再试"
NOT_SUPERVISOR = "只有测评办公室、主管部门或系统管理员可以{action}"
NOT_HANDLER = "只有责任人或责任单位负责人、管理员可以处理该问题"
SAME_PERSON = "核查须由处理人以外的人进行"
REASON_NEEDED = "退回须填写原因"
FIX_NEEDED = "请填写整改情况"
NOT_COMPLAINT = "只有投诉类问题需要回访"
NO_REPORT = "无权为该单位登记问题"
DEADLINE_BEFORE = "整改期限不能早于受理日期"
OUTSIDE_UNIT = "责任人须是本单位人员"
NOT_SUBMITTED = "只有已提交的自评可以生成整改问题"


FIELD_LABELS = {
    "title": "问题",
    "description": "问题描述",
    "severity": "严重程度",
    "deadline": "整改期限",
    "measures": "整改措施",
}


class ProblemRefused(ActionRefused):
    """The action is not allowed; the message says why in Chinese."""


Files = Sequence[tuple[str, IO[bytes]]]


def _now() -> datetime:
    return timezone.now()


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def month_of(day: date) -> date:
    return day.replace(day=1)


def spans_of(day: date) -> list[tuple[str, date]]:
    """The month, quarter and year a problem received on ``day`` is tallied in."""
    return [
        (TallySpan.MONTH.value, day.replace(day=1)),
        (TallySpan.QUARTER.value, date(day.year, (day.month - 1) // 3 * 3 + 1, 1)),
        (TallySpan.YEAR.value, date(day.year, 1, 1)),
    ]


def deadline_by_rule(severity: str, received_on: date) -> date:
    return received_on + timedelta(days=DEADLINE_DAYS[Severity(severity)])


def region_ids(path: str) -> list[int]:
    """ "/3/17/42/" → [3, 17, 42]: the region and its ancestors."""
    return [int(p) for p in path.strip("/").split("/") if p]


# -- tallies -----------------------------------------------------------------------------

TALLY_FIELDS = (
    "received",
    "closed",
    "closed_on_time",
    "days_total",
    "complaints_closed",
    "callbacks_reached",
    "callbacks_satisfied",
    "returned",
)


def tally_keys(problem: Problem) -> list[tuple[str, int]]:
    keys = [(TallyKind.UNIT.value, problem.unit_id)]
    if problem.body_id:
        keys.append((TallyKind.BODY.value, problem.body_id))
    keys += [(TallyKind.REGION.value, r) for r in region_ids(problem.region_path)]
    return keys


TALLY_KEY = ("kind", "key", "span", "start")


def _upsert_add(
    table: str, conflict: Sequence[str], rows: list[tuple[Any, ...]], adds: Sequence[str]
) -> None:
    """INSERT the rows, or add their figures to the rows already there (one statement; the
    same syntax on SQLite and PostgreSQL). Rows go in sorted order so that two transactions
    lock the rows they share in the same order."""
    if not rows:
        return
    rows = sorted(rows)
    columns = [*conflict, *adds]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in adds)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])


def tally_rows(problem: Problem) -> list[tuple[str, int, str, date]]:
    """The (kind, key, span, start) of every tally row the problem counts in."""
    spans = spans_of(problem.received_on)
    return [(kind, key, span, start) for kind, key in tally_keys(problem) for span, start in spans]


def _tally_add(problem: Problem, *, close_days: int | None = None, **deltas: int) -> None:
    """Add ``deltas`` to every tally row of the problem; ``close_days``: it was closed after
    that many whole days (added to the rows' close-time histograms)."""
    values = [deltas.get(f, 0) for f in TALLY_FIELDS]
    targets = tally_rows(problem)
    _upsert_add(Tally._meta.db_table, TALLY_KEY, [(*t, *values) for t in targets], TALLY_FIELDS)
    if close_days is None:
        return
    wanted = models.Q()
    for kind, key, span, start in targets:
        wanted |= models.Q(kind=kind, key=key, span=span, start=start)
    # the upsert above has locked these rows already (on PostgreSQL); read, add, write back
    rows = list(Tally.objects.select_for_update().filter(wanted).only("pk", "days"))
    for row in rows:
        row.days = histogram.add_one(row.days, close_days)
    Tally.objects.bulk_update(rows, ["days"])


# -- the supervising chain ----------------------------------------------------------------


def chain_of(unit: Unit) -> list[tuple[str, int]]:
    """Who chases a problem of ``unit``, nearest first: its supervising body, then the offices
    of its region and each region above it (only regions that have an office)."""
    chain: list[tuple[str, int]] = []
    if unit.supervisor_id:
        chain.append(("body", unit.supervisor_id))
    ids = region_ids(unit.region_path)
    with_office = set(
        RoleGrant.objects.filter(role=Role.OFFICE, region_id__in=ids).values_list(
            "region_id", flat=True
        )
    )
    chain += [("region", r) for r in reversed(ids) if r in with_office]
    return chain


def _chaser_fields(chain: list[tuple[str, int]], level: int) -> dict[str, Any]:
    if not chain:
        return {"chaser_body_id": None, "chaser_region_id": None}
    kind, key = chain[min(level, len(chain) - 1)]
    return {
        "chaser_body_id": key if kind == "body" else None,
        "chaser_region_id": key if kind == "region" else None,
    }


# -- create ------------------------------------------------------------------------------


def _origin_fields(origin: models.Model | None) -> dict[str, Any]:
    if origin is None:
        return {"origin_type": None, "origin_id": None}
    return {"origin_type": ContentType.objects.get_for_model(origin), "origin_id": origin.pk}


def _check_responsible(unit: Unit, responsible: User | None) -> None:
    if responsible is not None and not is_member(responsible, unit.pk):
        raise ProblemRefused(OUTSIDE_UNIT)


def _step(
    problem: Problem,
    *,
    actor: User | None,
    action: StepAction,
    old: str,
    new: str,
    at: datetime,
    comment: str = "",
    files: Files = (),
) -> ProblemStep:
    step = ProblemStep.objects.create(
        problem=problem,
        action=action,
        from_state=old,
        to_state=new,
        actor=actor,
        at=at,
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"problem.{action.value}",
        obj=problem,
        field="state" if old != new else "",
        old=S(old).label if old else "",
        new=S(new).label if new else "",
        comment=comment,
    )
    for name, stream in files:
        if actor is None:
            break
        try:
            attachment_store(unit=problem.unit, owner=step, name=name, stream=stream, actor=actor)
        except FileRejected as exc:
            raise ProblemRefused(str(exc)) from None
    return step


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
) -> Problem:
    """Record a problem found (发现) at ``unit``; the deadline follows the severity rule unless
    given. Campaigns, on-site scoring and self-assessment create problems only through this."""
    if not (can_supervise(actor, unit) or is_member(actor, unit.pk)):
        raise ProblemRefused(NO_REPORT)
    if source not in ProblemSource.values:
        raise ProblemRefused(f"问题来源“{source}”无效")
    if severity not in Severity.values:
        raise ProblemRefused(f"严重程度“{severity}”无效")
    title = title.strip()
    if not title:
        raise ProblemRefused("请填写问题")
    _check_responsible(unit, responsible)
    now = _now()
    received_on = found_on or _local(now)
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
        **_origin_fields(origin),
        **_chaser_fields(chain_of(unit), 0),
    )
    _step(
        problem,
        actor=actor,
        action=StepAction.CREATE,
        old="",
        new=S.FOUND,
        at=now,
        comment=description.strip()[:500],
        files=files,
    )
    _tally_add(problem, received=1)
    return problem


# -- transitions -------------------------------------------------------------------------


def _fresh(problem: Problem) -> Problem:
    return Problem.objects.select_related("unit").get(pk=problem.pk)


def _move(
    problem: Problem,
    *,
    actor: User,
    action: StepAction,
    allowed_from: Iterable[str],
    to: str,
    now: datetime,
    comment: str = "",
    files: Files = (),
    **updates: Any,
) -> Problem:
    allowed = list(allowed_from)
    old = problem.state
    changed = Problem.objects.filter(pk=problem.pk, state__in=allowed).update(state=to, **updates)
    if not changed:
        raise ProblemRefused(STALE)
    _step(
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


def _require_state(problem: Problem, action: StepAction, *states: str) -> None:
    if problem.state not in states:
        raise ProblemRefused(WRONG_STATE.format(state=S(problem.state).label, action=action.label))


def _require_supervisor(actor: User, problem: Problem, action: StepAction) -> None:
    if not can_supervise(actor, problem.unit):
        raise ProblemRefused(NOT_SUPERVISOR.format(action=action.label))


@transaction.atomic
def problem_accept(*, actor: User, problem: Problem, comment: str = "") -> Problem:
    """受理: an office or the supervising body takes the problem on."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.ACCEPT)
    _require_state(problem, StepAction.ACCEPT, S.FOUND)
    return _move(
        problem,
        actor=actor,
        action=StepAction.ACCEPT,
        allowed_from=[S.FOUND],
        to=S.ACCEPTED,
        now=_now(),
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
    _require_state(problem, StepAction.ASSIGN, S.ACCEPTED)
    _check_responsible(problem.unit, responsible)
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
        allowed_from=[S.ACCEPTED],
        to=S.ASSIGNED,
        now=_now(),
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
    _require_state(problem, StepAction.HANDLE, S.ASSIGNED)
    if not fix.strip():
        raise ProblemRefused(FIX_NEEDED)
    now = _now()
    updates: dict[str, Any] = {"fix": fix.strip(), "handled_by": actor, "handled_at": now}
    if measures.strip():
        updates["measures"] = measures.strip()
    return _move(
        problem,
        actor=actor,
        action=StepAction.HANDLE,
        allowed_from=[S.ASSIGNED],
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
    _require_state(problem, StepAction.VERIFY, S.HANDLED)
    if problem.handled_by_id == actor.pk:
        raise ProblemRefused(SAME_PERSON)
    now = _now()
    return _move(
        problem,
        actor=actor,
        action=StepAction.VERIFY,
        allowed_from=[S.HANDLED],
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
    _require_state(problem, StepAction.RETURN, S.HANDLED)
    if not reason.strip():
        raise ProblemRefused(REASON_NEEDED)
    if problem.handled_by_id == actor.pk:
        raise ProblemRefused(SAME_PERSON)
    problem = _move(
        problem,
        actor=actor,
        action=StepAction.RETURN,
        allowed_from=[S.HANDLED],
        to=S.ASSIGNED,
        now=_now(),
        comment=reason.strip(),
        return_count=models.F("return_count") + 1,
        handled_by=None,
        handled_at=None,
    )
    _tally_add(problem, returned=1)
    return problem


@transaction.atomic
def problem_call_back(
    *, actor: User, problem: Problem, reached: bool, satisfied: bool | None, comment: str = ""
) -> Problem:
    """回访: for a complaint, call the complainant back (reached? satisfied?)."""
    problem = _fresh(problem)
    _require_supervisor(actor, problem, StepAction.CALL_BACK)
    if problem.source != ProblemSource.COMPLAINT:
        raise ProblemRefused(NOT_COMPLAINT)
    _require_state(problem, StepAction.CALL_BACK, S.VERIFIED)
    if not reached:
        satisfied = None
    elif satisfied is None:
        raise ProblemRefused("联系上投诉人时须记录是否满意")
    said = "已联系上," + ("满意" if satisfied else "不满意") if reached else "未联系上"
    now = _now()
    return _move(
        problem,
        actor=actor,
        action=StepAction.CALL_BACK,
        allowed_from=[S.VERIFIED],
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
    ready = S.CALLED_BACK if problem.source == ProblemSource.COMPLAINT else S.VERIFIED
    if problem.source == ProblemSource.COMPLAINT and problem.state == S.VERIFIED:
        raise ProblemRefused("投诉类问题须先回访才能结案")
    _require_state(problem, StepAction.CLOSE, ready)
    now = _now()
    closed_on = _local(now)
    problem = _move(
        problem,
        actor=actor,
        action=StepAction.CLOSE,
        allowed_from=[ready],
        to=S.CLOSED,
        now=now,
        comment=comment,
        closed_at=now,
        closed_on=closed_on,
    )
    complaint = problem.source == ProblemSource.COMPLAINT
    days = (closed_on - problem.received_on).days
    _tally_add(
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
        at=_now(),
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
    for name, stream in files:
        try:
            attachment_store(
                unit=problem.unit, owner=problem, name=name, stream=stream, actor=actor
            )
        except FileRejected as exc:
            raise ProblemRefused(str(exc)) from None


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
    fields = _chaser_fields(chain, level)
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
        at=_now(),
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
    return True


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
        **_origin_fields(origin),
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


# -- self-assessment deductions ----------------------------------------------------------


@transaction.atomic
def problems_from_self_assessment(*, actor: User, assessment: Any) -> list[Problem]:
    """One problem per deducted item of a submitted self-assessment, linked to its indicator
    and the assessment. Running it again creates nothing new."""
    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.assessments.scoring import scorecard_of
    from wenming.core.points import fmt

    locked = (
        SelfAssessment.objects.select_for_update()
        .select_related("unit", "edition")
        .get(pk=assessment.pk)
    )
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ProblemRefused(NOT_SUBMITTED)
    unit = locked.unit
    if not (can_supervise(actor, unit) or is_unit_lead(actor, unit.pk)):
        raise ProblemRefused("只有本单位负责人、管理员或主管部门、测评办公室可以生成整改问题")
    card, issues = scorecard_of(locked, locked.entries.all())
    if card is None:
        raise ProblemRefused("自评有错误:" + ";".join(issues))
    engine = card.engine
    done = set(
        Problem.objects.filter(
            origin_type=ContentType.objects.get_for_model(SelfAssessment), origin_id=locked.pk
        ).values_list("indicator_code", flat=True)
    )
    created = []
    for index, code, _ in engine.leaves:
        if code in engine.bonus_codes or code in done:
            continue
        entry = card.result.items.get(code)
        lost = engine.max_points[index] - card.scores[index]
        if entry is None or lost <= 0:
            continue
        node = engine.nodes[index]
        why = engine.styles[code].describe(
            entry.value, card.result.profile, card.scores[index], entry.reason
        )
        created.append(
            problem_create(
                actor=actor,
                unit=unit,
                source=ProblemSource.SELF_ASSESSMENT,
                title=f"{code} {node.name}(扣{fmt(lost)}分)",
                description=why,
                indicator_code=code,
                edition=locked.edition,
                origin=locked,
            )
        )
    return created


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

    from wenming.notices.services import notice_send

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
        reply=reply.strip(), replied_by=actor, replied_at=_now()
    )
    if not changed:
        raise ProblemRefused("该督办通知已回复")
    audit_record(
        actor=actor, action="supervision.reply", obj=notice, field="回复", new=reply.strip()
    )


# -- tallies from scratch ----------------------------------------------------------------


@transaction.atomic
def tallies_rebuild() -> int:
    """Recompute every tally from the problems (after a bulk load, or to repair). Returns the
    number of tally rows. The transitions keep the same figures up to date one by one."""
    return tallies_compute(Problem, Tally)


def tallies_compute(problem_model: Any, tally_model: Any) -> int:
    """Replace the tallies with ones counted from the problems (the models are parameters so
    that a migration can call this with its historical models). The month rows are counted
    from the problems; the quarter and year rows are the sums of their months."""
    months: dict[tuple[str, int, date], list[int]] = {}
    days: dict[tuple[str, int, date], dict[int, int]] = {}
    rows = problem_model.objects.values_list(
        "unit_id",
        "body_id",
        "region_path",
        "received_on",
        "deadline",
        "closed_on",
        "source",
        "callback_reached",
        "callback_satisfied",
        "return_count",
    )
    size = len(TALLY_FIELDS)
    for (
        unit_id,
        body_id,
        path,
        received_on,
        deadline,
        closed_on,
        source,
        reached,
        satisfied,
        returns,
    ) in rows.iterator(chunk_size=20_000):
        month = month_of(received_on)
        keys = [(TallyKind.UNIT.value, unit_id)]
        if body_id:
            keys.append((TallyKind.BODY.value, body_id))
        keys += [(TallyKind.REGION.value, r) for r in region_ids(path)]
        if closed_on is None:
            add = [1, 0, 0, 0, 0, 0, 0, returns]
        else:
            complaint = source == ProblemSource.COMPLAINT
            took = (closed_on - received_on).days
            add = [
                1,
                1,
                int(closed_on <= deadline),
                took,
                int(complaint),
                int(complaint and bool(reached)),
                int(complaint and bool(satisfied)),
                returns,
            ]
        for kind, key in keys:
            k = (kind, key, month)
            t = months.get(k)
            if t is None:
                months[k] = list(add)
            else:
                for i in range(size):
                    t[i] += add[i]
            if closed_on is not None:
                h = days.setdefault(k, {})
                h[took] = h.get(took, 0) + 1
    # roll the months up into their quarters and years
    tallies: dict[tuple[str, int, str, date], list[int]] = {}
    histograms: dict[tuple[str, int, str, date], dict[int, int]] = {}
    for (kind, key, month), figures in months.items():
        for span, start in spans_of(month):
            k2 = (kind, key, span, start)
            t = tallies.get(k2)
            if t is None:
                tallies[k2] = list(figures)
            else:
                for i in range(size):
                    t[i] += figures[i]
            if (kind, key, month) in days:
                h = histograms.setdefault(k2, {})
                for d, n in days[(kind, key, month)].items():
                    h[d] = h.get(d, 0) + n
    tally_model.objects.all().delete()
    tally_model.objects.bulk_create(
        (
            tally_model(
                kind=kind,
                key=key,
                span=span,
                start=start,
                days=histogram.from_counts(histograms.get((kind, key, span, start), {})),
                **dict(zip(TALLY_FIELDS, v, strict=True)),
            )
            for (kind, key, span, start), v in tallies.items()
        ),
        batch_size=5000,
    )
    return len(tallies)
