"""Campaigns and applications: read, with states, the step waited on and the results."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wenming.accounts.scope import scoped_get
from wenming.api.core import ERRORS, Light, PageQuery, TokenAuth, page
from wenming.campaigns.access import (
    applications_visible_to,
    campaign_get_for_user,
    campaigns_visible_to,
)
from wenming.campaigns.models import Application, Campaign, State
from wenming.core.points import fmt
from wenming.web.actor import actor

router = Router(tags=["创建活动与申报"], auth=TokenAuth("campaigns"))


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    level: str
    level_label: str
    region_id: int
    framework_edition_id: int | None
    phase: str
    phase_label: str
    apply_from: str
    apply_until: str


class CampaignPage(Schema):
    items: list[CampaignOut]
    next: str | None


class ApplicationOut(Light):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    state: str
    state_label: str
    step: str
    submitted_at: str | None
    score: str | None = Field(description="最近一次记录的得分(如“86.50”),尚无结果时为空")
    grade: str
    vetoed: bool


class ApplicationPage(Light):
    items: list[ApplicationOut]
    next: str | None


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "year": c.year,
        "level": c.level,
        "level_label": c.get_level_display(),
        "region_id": c.region_id,
        "framework_edition_id": c.edition_id,
        "phase": c.phase,
        "phase_label": c.get_phase_display(),
        "apply_from": c.apply_from.isoformat(),
        "apply_until": c.apply_until.isoformat(),
    }


STATE_LABELS = dict(State.choices)


def application_rows(rows: QuerySet[Application]) -> QuerySet[Application, Any]:
    """The columns an application is answered with, joined in the one query."""
    return rows.values(
        "id",
        "campaign_id",
        "unit_id",
        "region_path",
        "state",
        "step",
        "submitted_at",
        "result_centi",
        "result_grade",
        "result_vetoed",
        unit_name=F("unit__name"),
    )


def application_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "campaign_id": row["campaign_id"],
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "state": row["state"],
        "state_label": STATE_LABELS.get(row["state"], row["state"]),
        "step": row["step"],
        "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else None,
        "score": fmt(row["result_centi"]) if row["result_centi"] is not None else None,
        "grade": row["result_grade"],
        "vetoed": row["result_vetoed"],
    }


@router.get("/campaigns", response={200: CampaignPage, **ERRORS}, summary="创建活动列表")
def campaign_list(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    rows = campaigns_visible_to(actor(request))
    return page(rows, cursor=q.cursor, limit=q.limit, out=lambda f: [campaign_out(c) for c in f])


@router.get(
    "/campaigns/{int:campaign_id}", response={200: CampaignOut, **ERRORS}, summary="活动详情"
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return campaign_out(campaign_get_for_user(actor(request), campaign_id))


class ApplicationFilter(PageQuery):
    campaign: int | None = Field(default=None, description="只列该活动的申报")
    state: str = Field(default="", max_length=12, description="只列该状态的申报")


@router.get("/applications", response={200: ApplicationPage, **ERRORS}, summary="申报列表")
def application_list(request: HttpRequest, q: Query[ApplicationFilter]) -> dict[str, Any]:
    rows = applications_visible_to(actor(request))
    if q.campaign is not None:
        rows = rows.filter(campaign_id=q.campaign)
    if q.state:
        rows = rows.filter(state=q.state)
    return page(
        application_rows(rows),
        cursor=q.cursor,
        limit=q.limit,
        out=lambda f: [application_out(a) for a in f],
        keys=("region_path",),  # with id: the (region path, id) indexes serve scope and order
    )


class TransitionOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    at: str
    comment: str


class EvaluationOut(Schema):
    step: str
    source: str
    score: str
    grade: str
    vetoed: bool
    recorded_at: str


class ApplicationDetail(ApplicationOut):
    transitions: list[TransitionOut]
    evaluations: list[EvaluationOut]


@router.get(
    "/applications/{int:application_id}",
    response={200: ApplicationDetail, **ERRORS},
    summary="申报详情(流转记录与各环节结果)",
)
def application_detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    found = scoped_get(
        applications_visible_to(actor(request)).select_related("unit"),
        application_id,
        missing="申报不存在或无权查看",
    )
    return {
        **application_out(application_rows(Application.objects.filter(pk=found.pk)).get()),
        "transitions": [
            {
                "action": t.action,
                "label": t.label,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "at": t.at.isoformat(),
                "comment": t.comment,
            }
            for t in found.transitions.order_by("at", "pk")
        ],
        "evaluations": [
            {
                "step": e.step,
                "source": e.source,
                "score": fmt(e.total_centi),
                "grade": e.grade,
                "vetoed": e.vetoed,
                "recorded_at": e.recorded_at.isoformat(),
            }
            for e in found.evaluations.order_by("recorded_at", "pk")
        ],
    }
