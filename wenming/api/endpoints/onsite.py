"""On-site scores: the expert's assignments, and the same idempotent sync the phone uses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from wenming.api.core import ERRORS, TokenAuth
from wenming.onsite.scoring import scores_sync
from wenming.onsite.selectors import assignments_of_expert
from wenming.onsite.sync_body import SyncBody
from wenming.web.actor import actor

router = Router(tags=["实地测评"], auth=TokenAuth("onsite"))


class AssignmentOut(Schema):
    id: int
    campaign_id: int
    application_id: int
    unit_id: int
    unit_name: str


class SyncAnswerOut(Schema):
    client_id: str
    ok: bool
    error: str


class SyncOut(Schema):
    answers: list[SyncAnswerOut]


@router.get(
    "/onsite/assignments", response={200: list[AssignmentOut], **ERRORS}, summary="本人的测评任务"
)
def assignment_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = assignments_of_expert(actor(request)).select_related("unit")[:1000]
    return [
        {
            "id": a.pk,
            "campaign_id": a.campaign_id,
            "application_id": a.application_id,
            "unit_id": a.unit_id,
            "unit_name": a.unit.name,
        }
        for a in rows
    ]


@router.post(
    "/onsite/sync",
    response={200: SyncOut, **ERRORS},
    summary="上传现场评分(与手机同步同一接口规则,按 client_id 幂等)",
)
def scores_post(request: HttpRequest, body: SyncBody) -> dict[str, Any]:
    entries = [e.model_dump(exclude_none=True) for e in body.entries]
    answers = scores_sync(actor=actor(request), entries=entries)
    return {"answers": [a.as_json() for a in answers]}
