"""Self-assessments: read the unit's entries, write one entry, submit (the unit's own people),
through the same services as the filling page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wenming.api.core import ERRORS, ApiProblem, PageQuery, TokenAuth, page
from wenming.assessments.access import assessment_get_for_user, assessments_visible_to
from wenming.assessments.models import Entry, SelfAssessment
from wenming.assessments.services import EntryConflict, entry_save, self_assessment_submit
from wenming.core.points import fmt
from wenming.web.actor import actor

router = Router(tags=["自评填报"], auth=TokenAuth("assessments"))


class AssessmentOut(Schema):
    id: int
    unit_id: int
    framework_edition_id: int
    revision: int
    status: str
    status_label: str
    as_of: str
    total: str
    grade: str
    vetoed: bool


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next: str | None


class EntryOut(Schema):
    code: str
    kind: str
    value: str
    reason: str
    note: str
    event_date: str | None
    until: str | None
    version: int


class AssessmentDetail(AssessmentOut):
    entries: list[EntryOut]


def assessment_out(a: SelfAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "unit_id": a.unit_id,
        "framework_edition_id": a.edition_id,
        "revision": a.revision,
        "status": a.status,
        "status_label": a.get_status_display(),
        "as_of": a.as_of.isoformat(),
        "total": fmt(a.total_centi),
        "grade": a.grade,
        "vetoed": a.vetoed,
    }


def entry_out(e: Entry) -> dict[str, Any]:
    return {
        "code": e.code,
        "kind": e.kind,
        "value": e.value,
        "reason": e.reason,
        "note": e.note,
        "event_date": e.event_date.isoformat() if e.event_date else None,
        "until": e.until.isoformat() if e.until else None,
        "version": e.version,
    }


@router.get("/self-assessments", response={200: AssessmentPage, **ERRORS}, summary="自评列表")
def assessment_list(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    rows = assessments_visible_to(actor(request))
    return page(rows, cursor=q.cursor, limit=q.limit, out=lambda f: [assessment_out(a) for a in f])


@router.get(
    "/self-assessments/{int:assessment_id}",
    response={200: AssessmentDetail, **ERRORS},
    summary="自评及全部填报项",
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    found = assessment_get_for_user(actor(request), assessment_id)
    entries = [entry_out(e) for e in found.entries.order_by("code")]
    return {**assessment_out(found), "entries": entries}


class EntryIn(Schema):
    value: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=5_000)
    event_date: dt.date | None = None
    until: dt.date | None = None
    version: int = Field(default=0, ge=0, le=2_000_000_000, description="读取时的版本号;新项为0")


@router.put(
    "/self-assessments/{int:assessment_id}/entries/{code}",
    response={200: EntryOut, 409: EntryOut, **ERRORS},
    summary="填写一项(他人已修改时返回409及当前内容)",
)
def entry_put(request: HttpRequest, assessment_id: int, code: str, body: EntryIn) -> Status[Any]:
    user = actor(request)
    found = assessment_get_for_user(user, assessment_id)
    if len(code) > 40:
        raise ApiProblem(404, "not_found", "指标不存在")
    try:
        entry = entry_save(
            actor=user,
            assessment_id=found.pk,
            code=code,
            value=body.value,
            reason=body.reason,
            note=body.note,
            event_date=body.event_date,
            until=body.until,
            version=body.version,
        )
    except EntryConflict as conflict:
        return Status(409, entry_out(conflict.current))
    return Status(200, entry_out(entry))


@router.post(
    "/self-assessments/{int:assessment_id}/submit",
    response={200: AssessmentOut, **ERRORS},
    summary="提交自评(本单位管理员)",
)
def assessment_submit(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    user = actor(request)
    found = assessment_get_for_user(user, assessment_id)
    return assessment_out(self_assessment_submit(actor=user, assessment_id=found.pk))
