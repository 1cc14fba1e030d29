"""What every rectification service shares: the refusal and its messages, the clock, the
supervising chain and the step row written by every change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.attachments.detect import FileRejected
from wenming.attachments.services import attachment_store
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.organizations.models import Unit
from wenming.organizations.paths import region_ids
from wenming.rectification.access import is_member
from wenming.rectification.models import (
    DEADLINE_DAYS,
    Problem,
    ProblemState,
    ProblemStep,
    Severity,
    StepAction,
    TallySpan,
)
from wenming.rectification.transitions import WRONG_STATE as WRONG_STATE  # the table's

S = ProblemState

# error messages (tests reuse them)
STALE = "该问题刚被他人处理,请刷新页面后再试"
NOT_SUPERVISOR = "只有测评办公室、主管部门或系统管理员可以{action}"
NOT_HANDLER = "只有责任人或责任单位负责人、管理员可以处理该问题"
SAME_PERSON = "核查须由处理人以外的人进行"
REASON_NEEDED = "退回须填写原因"
FIX_NEEDED = "请填写整改情况"
NOT_COMPLAINT = "只有投诉和群众随手拍问题需要回访"
MERGE_TARGET = "只能并入另一个未被合并的问题"
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


def now() -> datetime:
    """The services' clock (tests and the demo set it)."""
    return timezone.now()


def local_day(moment: datetime) -> date:
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


def chaser_fields(chain: list[tuple[str, int]], level: int) -> dict[str, Any]:
    if not chain:
        return {"chaser_body_id": None, "chaser_region_id": None}
    kind, key = chain[min(level, len(chain) - 1)]
    return {
        "chaser_body_id": key if kind == "body" else None,
        "chaser_region_id": key if kind == "region" else None,
    }


# -- create ------------------------------------------------------------------------------


def origin_fields(origin: models.Model | None) -> dict[str, Any]:
    if origin is None:
        return {"origin_type": None, "origin_id": None}
    return {"origin_type": ContentType.objects.get_for_model(origin), "origin_id": origin.pk}


def check_responsible(unit: Unit, responsible: User | None) -> None:
    if responsible is not None and not is_member(responsible, unit.pk):
        raise ProblemRefused(OUTSIDE_UNIT)


def step_record(
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
    if actor is not None:
        files_store(problem, owner=step, files=files, actor=actor)
    return step


def files_store(problem: Problem, *, owner: models.Model, files: Files, actor: User) -> None:
    """Store the files on ``owner`` (the problem or one of its steps) in the unit's store; a
    rejected file refuses the whole change."""
    for name, stream in files:
        try:
            attachment_store(unit=problem.unit, owner=owner, name=name, stream=stream, actor=actor)
        except FileRejected as exc:
            raise ProblemRefused(str(exc)) from None
