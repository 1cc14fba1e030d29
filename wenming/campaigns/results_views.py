"""Pages of results use: annual targets, progress against them with scores, rewards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.accounts.scope import scope_for
from wenming.campaigns.access import applications_visible_to, rewards_visible_to, runs_campaign
from wenming.campaigns.forms import RewardParams
from wenming.campaigns.models import Campaign
from wenming.campaigns.results import (
    QUALIFIED,
    Progress,
    reward_record,
    target_progress,
    target_regions,
    target_supervisors,
    targets_set,
)
from wenming.campaigns.services import Refused
from wenming.campaigns.views import _campaign
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import errors_text


def _visible_rows(
    request: HttpRequest, campaign: Campaign
) -> tuple[Progress | None, list[Progress]]:
    """The office running the campaign sees every row; an office below it sees the rows of its
    region, a supervising body its own row; anyone else is refused."""
    overall, rows = target_progress(campaign)
    user = actor(request)
    if runs_campaign(user, campaign):
        return overall, rows
    scope = scope_for(user)
    mine = [
        r
        for r in rows
        if (r.kind == "region" and scope.covers_region(r.path))
        or (r.kind == "supervisor" and scope.supervises_body(r.key))
    ]
    if not mine and not scope.region_paths and not scope.supervised_by:
        raise PermissionDenied("只有测评办公室和主管部门可以查看目标完成情况")
    return None, mine


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    overall, rows = _visible_rows(request, campaign)
    runs = runs_campaign(actor(request), campaign)
    return render(
        request,
        "campaigns/results.html",
        {
            "campaign": campaign,
            "overall": overall,
            "region_rows": [r for r in rows if r.kind == "region"],
            "body_rows": [r for r in rows if r.kind == "supervisor"],
            "runs": runs,
            "rewards": rewards_visible_to(actor(request))
            .filter(campaign=campaign)
            .select_related("unit")
            if runs
            else [],
            "has_qualified": runs
            and applications_visible_to(actor(request))
            .filter(campaign=campaign, state__in=QUALIFIED)
            .exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    overall, rows = _visible_rows(request, campaign)
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet("目标完成情况")
    sheet.append(
        [
            f"{campaign.name} 目标完成情况(折算:完成率×{campaign.target_score_scale},上限{campaign.target_score_cap}分)"
        ]
    )
    sheet.append(
        ["类别", "名称", "年度目标", "申报数", "合格数(拟命名/已命名)", "完成率", "折算得分"]
    )
    kinds = {"campaign": "全活动", "region": "地区", "supervisor": "主管部门"}
    for r in ([overall] if overall else []) + rows:
        sheet.append([kinds[r.kind], r.label, r.target, r.applied, r.qualified, r.ratio, r.score])
    return file_download(workbook_bytes(wb), f"{campaign.name}-目标完成情况.xlsx", XLSX)


def _counts(request: HttpRequest, prefix: str) -> dict[int, int | None]:
    """``prefix<pk>`` fields: a whole number sets the target, an empty field clears it."""
    out: dict[int, int | None] = {}
    for key in request.POST:
        if not key.startswith(prefix) or not key[len(prefix) :].isdigit():
            continue
        if len(key) - len(prefix) > 18:  # not an id (ids are 64-bit)
            continue
        value = request.POST.get(key, "").strip()
        if value and (not value.isdigit() or int(value) > 100000):
            raise Refused(f"目标数“{value}”应为0到100000之间的整数")
        out[int(key[len(prefix) :])] = int(value) if value else None
    return out


@login_required
def targets_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    if not runs_campaign(user, campaign):
        raise PermissionDenied("只有组织本活动的测评办公室可以设置目标")
    if request.method == "POST":
        try:
            changed = targets_set(
                actor=user,
                campaign=campaign,
                regions=_counts(request, "region-"),
                supervisors=_counts(request, "body-"),
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已保存,{changed}项目标有变化")
            return redirect("campaigns:results", pk=campaign.pk)
    current = {(t.region_id, t.supervisor_id): t.count for t in campaign.targets.all()}
    return render(
        request,
        "campaigns/targets.html",
        {
            "campaign": campaign,
            "regions": [(r, current.get((r.pk, None))) for r in target_regions(campaign)],
            "bodies": [(u, current.get((None, u.pk))) for u in target_supervisors(campaign)],
        },
    )


@login_required
@require_POST
def reward_new(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    form = RewardParams(request.POST)
    f = form.cleaned_data if form.is_valid() else {}
    key = f.get("unit", "")
    application = (
        applications_visible_to(user)
        .filter(campaign=campaign)
        .filter(Q(unit__credit_code=key.upper()) | Q(unit__name=key))
        .select_related("unit")
        .first()
        if key
        else None
    )
    try:
        if form.errors:
            raise Refused(errors_text(form))
        if application is None:
            raise Refused(f"本活动没有单位“{key}”的申报(请填写统一社会信用代码或单位全称)")
        reward_record(
            actor=user,
            campaign=campaign,
            unit=application.unit,
            person=f["person"],
            kind=f["kind"],
            description=f["description"],
            amount=f["amount"],
            awarded_on=f["awarded_on"],
        )
        messages.success(request, "已记录奖励")
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("campaigns:results", pk=campaign.pk)
