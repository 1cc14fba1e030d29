"""Problems to fix (整改): create (e.g. from a 12345 hotline), read, lifecycle actions — each
through the rectification services, so the same people may do the same things as on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wenming.accounts.scope import unit_get_for_user
from wenming.api.core import ERRORS, ApiProblem, Light, PageQuery, TokenAuth, page
from wenming.rectification.access import problem_get_for_user, problems_visible_to
from wenming.rectification.models import HAND_SOURCES, Problem, ProblemState, Severity
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

# the sources a problem may be registered with by hand or by another system: 群众随手拍 comes
# with its citizen report only (wenming.citizen; Open311 intake files as 投诉)
SourceKey = Literal["self_assessment", "expert", "recheck", "negative", "complaint", "patrol"]
SeverityKey = Literal["general", "serious", "urgent"]
assert set(SourceKey.__args__) == {v for v, _ in HAND_SOURCES}  # type: ignore[attr-defined]
assert set(SeverityKey.__args__) == set(Severity.values)  # type: ignore[attr-defined]


class ProblemOut(Light):
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


class ProblemPage(Light):
    items: list[ProblemOut]
    next: str | None


STATE_LABELS = dict(ProblemState.choices)


def problem_rows(rows: QuerySet[Problem]) -> QuerySet[Problem, Any]:
    """The columns a problem is answered with, joined in the one query."""
    return rows.values(
        "id",
        "unit_id",
        "region_path",
        "source",
        "severity",
        "state",
        "title",
        "description",
        "location",
        "received_on",
        "deadline",
        "fix",
        "closed_on",
        unit_name=F("unit__name"),
    )


def problem_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "source": row["source"],
        "severity": row["severity"],
        "state": row["state"],
        "state_label": STATE_LABELS.get(row["state"], row["state"]),
        "title": row["title"],
        "description": row["description"],
        "location": row["location"],
        "received_on": row["received_on"].isoformat(),
        "deadline": row["deadline"].isoformat(),
        "fix": row["fix"],
        "closed_on": row["closed_on"].isoformat() if row["closed_on"] else None,
    }


def problem_answer(problem: Problem) -> dict[str, Any]:
    """One problem (already fetched through the access layer) as the lists answer it."""
    return problem_out(problem_rows(Problem.objects.filter(pk=problem.pk)).get())


class ProblemFilter(PageQuery):
    unit: int | None = Field(default=None, description="只列该单位的问题")
    state: str = Field(default="", max_length=12, description="只列该状态的问题")


@router.get("/problems", response={200: ProblemPage, **ERRORS}, summary="问题列表")
def problem_list(request: HttpRequest, q: Query[ProblemFilter]) -> dict[str, Any]:
    rows = problems_visible_to(actor(request))
    if q.unit is not None:
        rows = rows.filter(unit_id=q.unit)
    if q.state:
        rows = rows.filter(state=q.state)
    return page(
        problem_rows(rows),
        cursor=q.cursor,
        limit=q.limit,
        out=lambda f: [problem_out(p) for p in f],
        keys=("region_path",),  # with id: the (region path, id) index serves scope and order
    )


@router.get("/problems/{int:problem_id}", response={200: ProblemOut, **ERRORS}, summary="问题详情")
def problem_detail(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    return problem_answer(problem_get_for_user(actor(request), problem_id))


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
    return Status(201, problem_answer(problem_get_for_user(user, problem.pk)))


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
    return problem_answer(problem_get_for_user(user, problem_id))
