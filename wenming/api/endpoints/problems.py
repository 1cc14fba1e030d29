"""Problems to fix (整改): create (e.g. from a 12345 hotline), read, lifecycle actions — each
through the rectification services, so the same people may do the same things as on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wenming.accounts.scope import unit_get_for_user
from wenming.api.core import ERRORS, ApiProblem, PageQuery, TokenAuth, page
from wenming.rectification.access import problem_get_for_user, problems_visible_to
from wenming.rectification.models import Problem, ProblemSource, Severity
from wenming.rectification.services import (
    problem_accept,
    problem_assign,
    problem_call_back,
    problem_close,
    problem_create,
    problem_handle,
    problem_return,
    problem_verify,
)
from wenming.web.actor import actor

router = Router(tags=["问题整改"], auth=TokenAuth("problems"))

SourceKey = Literal["self_assessment", "expert", "recheck", "negative", "complaint", "patrol"]
SeverityKey = Literal["general", "serious", "urgent"]
assert set(SourceKey.__args__) == set(ProblemSource.values)  # type: ignore[attr-defined]
assert set(SeverityKey.__args__) == set(Severity.values)  # type: ignore[attr-defined]


class ProblemOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    source: str
    severity: str
    state: str
    state_label: str
    title: str
    description: str
    location: str
    received_on: str
    deadline: str
    fix: str
    closed_on: str | None


class ProblemPage(Schema):
    items: list[ProblemOut]
    next: str | None


def problem_out(p: Problem) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "source": p.source,
        "severity": p.severity,
        "state": p.state,
        "state_label": p.get_state_display(),
        "title": p.title,
        "description": p.description,
        "location": p.location,
        "received_on": p.received_on.isoformat(),
        "deadline": p.deadline.isoformat(),
        "fix": p.fix,
        "closed_on": p.closed_on.isoformat() if p.closed_on else None,
    }


class ProblemFilter(PageQuery):
    unit: int | None = Field(default=None, description="只列该单位的问题")
    state: str = Field(default="", max_length=12, description="只列该状态的问题")


@router.get("/problems", response={200: ProblemPage, **ERRORS}, summary="问题列表")
def problem_list(request: HttpRequest, q: Query[ProblemFilter]) -> dict[str, Any]:
    rows = problems_visible_to(actor(request)).select_related("unit")
    if q.unit is not None:
        rows = rows.filter(unit_id=q.unit)
    if q.state:
        rows = rows.filter(state=q.state)
    return page(rows, cursor=q.cursor, limit=q.limit, out=lambda f: [problem_out(p) for p in f])


@router.get("/problems/{int:problem_id}", response={200: ProblemOut, **ERRORS}, summary="问题详情")
def problem_detail(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    return problem_out(problem_get_for_user(actor(request), problem_id))


class ProblemIn(Schema):
    unit_id: int = Field(ge=1, le=2**53)
    source: SourceKey = "complaint"
    severity: SeverityKey = "general"
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    location: str = Field(default="", max_length=200)
    complainant: str = Field(default="", max_length=100, description="投诉人及联系方式")
    found_on: dt.date | None = None
    deadline: dt.date | None = None


@router.post("/problems", response={201: ProblemOut, **ERRORS}, summary="登记问题")
def problem_post(request: HttpRequest, body: ProblemIn) -> Status[Any]:
    user = actor(request)
    unit = unit_get_for_user(user, body.unit_id)
    problem = problem_create(
        actor=user,
        unit=unit,
        source=body.source,
        severity=body.severity,
        title=body.title,
        description=body.description,
        location=body.location,
        complainant=body.complainant,
        found_on=body.found_on,
        deadline=body.deadline,
    )
    return Status(201, problem_out(problem_get_for_user(user, problem.pk)))


ActionKey = Literal["accept", "assign", "handle", "verify", "return", "call_back", "close"]


class ActionIn(Schema):
    action: ActionKey
    comment: str = Field(default="", max_length=2_000)
    reason: str = Field(default="", max_length=2_000, description="退回的原因")
    fix: str = Field(default="", max_length=5_000, description="处理:整改情况")
    measures: str = Field(default="", max_length=5_000, description="处理:整改措施")
    responsible_id: int | None = Field(default=None, ge=1, le=2**53, description="分派:责任人")
    deadline: dt.date | None = Field(default=None, description="分派:整改期限")
    reached: bool = Field(default=True, description="回访:是否联系上")
    satisfied: bool | None = Field(default=None, description="回访:是否满意")


@router.post(
    "/problems/{int:problem_id}/actions",
    response={200: ProblemOut, **ERRORS},
    summary="办理问题(受理、分派、处理、核查、退回、回访、结案)",
)
def problem_act(request: HttpRequest, problem_id: int, body: ActionIn) -> dict[str, Any]:
    user = actor(request)
    problem = problem_get_for_user(user, problem_id)
    if body.action == "accept":
        problem_accept(actor=user, problem=problem, comment=body.comment)
    elif body.action == "assign":
        responsible = None
        if body.responsible_id is not None:
            responsible = User.objects.filter(pk=body.responsible_id).first()
            if responsible is None:
                raise ApiProblem(422, "refused", "责任人不存在")
        problem_assign(
            actor=user,
            problem=problem,
            responsible=responsible,
            deadline=body.deadline,
            comment=body.comment,
        )
    elif body.action == "handle":
        problem_handle(actor=user, problem=problem, fix=body.fix, measures=body.measures)
    elif body.action == "verify":
        problem_verify(actor=user, problem=problem, comment=body.comment)
    elif body.action == "return":
        problem_return(actor=user, problem=problem, reason=body.reason)
    elif body.action == "call_back":
        problem_call_back(
            actor=user,
            problem=problem,
            reached=body.reached,
            satisfied=body.satisfied,
            comment=body.comment,
        )
    else:
        problem_close(actor=user, problem=problem, comment=body.comment)
    return problem_out(problem_get_for_user(user, problem_id))
