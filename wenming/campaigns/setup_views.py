"""Pages that set a campaign up: create it with forms, correct it until each step starts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.campaigns.access import campaign_get_for_user, runs_campaign
from wenming.campaigns.campaign_setup import campaign_create, campaign_update, locked_settings
from wenming.campaigns.forms import CampaignForm, VersionParams
from wenming.campaigns.services import Refused
from wenming.campaigns.settings_file import MAX_BYTES as SETTINGS_MAX_BYTES
from wenming.campaigns.settings_file import (
    NOT_ADMIN,
    campaign_settings_export,
    campaign_settings_import,
)
from wenming.core.errors import FileInvalid
from wenming.web.actor import actor
from wenming.web.downloads import YAML, file_download
from wenming.web.params import params


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not scope_for(user).offices and not scope_for(user).is_admin:
        raise PermissionDenied("只有测评办公室可以创建活动")
    form = CampaignForm(request.POST or None, regions=regions_visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(actor=user, data=form.to_input())
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已创建活动“{campaign.name}”")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/new.html", {"form": form})


CAMPAIGN_SETTINGS = (
    "name", "year", "level", "region", "organiser", "edition", "apply_from", "apply_until", "evaluate_until",
    "publicity_days", "publicity_working_days", "term_years", "rectify_months",
    "previous_title_required", "clean_months", "legal_person_required", "target_count",
    "target_percent", "target_score_scale", "target_score_cap",
)  # fmt: skip


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a campaign's settings; those whose step has started are shown, not editable."""
    campaign = campaign_get_for_user(request.user, pk)
    user = actor(request)
    if not runs_campaign(user, campaign):
        raise PermissionDenied("只有组织本活动的测评办公室可以修改活动")
    initial: dict[str, Any] = {name: getattr(campaign, name) for name in CAMPAIGN_SETTINGS}
    initial["unit_types"] = list(campaign.unit_types.all())
    form = CampaignForm(
        request.POST or None,
        regions=regions_visible_to(user),
        initial=initial,
        chain=campaign.chain,
        naming=campaign.naming,
        locked={"year": "年度决定称号名称(新年度请复制活动)", **locked_settings(campaign)},
    )
    if request.method == "POST" and form.is_valid():
        edit = params(request.POST, VersionParams)
        version, reason = edit["version"], edit["reason"]
        data = form.to_input()
        data.year = campaign.year  # the year names the title; a new year is a copy
        try:
            changed = campaign_update(
                actor=user, campaign=campaign, version=version, data=data, reason=reason
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"已修改:{'、'.join(changed)}" if changed else "没有需要保存的修改"
            )
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(
        request, "campaigns/new.html", {"form": form, "campaign": campaign, "editing": True}
    )


@login_required
def settings_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's settings as a YAML file (administrators only)."""
    if not scope_for(request.user).is_admin:
        raise PermissionDenied(NOT_ADMIN)
    campaign = campaign_get_for_user(request.user, pk)
    text = campaign_settings_export(campaign)
    return file_download(text.encode(), f"{campaign.name}活动设置.yaml", YAML)


@login_required
def settings_import(request: HttpRequest) -> HttpResponse:
    """A new draft campaign from a settings file (administrators only)."""
    user = actor(request)
    if not scope_for(user).is_admin:
        raise PermissionDenied(NOT_ADMIN)
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = ["请选择活动设置文件(.yaml 或 .json)"]
        elif (upload.size or 0) > SETTINGS_MAX_BYTES:
            problems = [f"文件过大(上限{SETTINGS_MAX_BYTES // 1000}KB)"]
        else:
            try:
                campaign = campaign_settings_import(
                    actor=user, content=upload.read(), filename=upload.name or ""
                )
            except FileInvalid as exc:
                problems = [str(i) for i in exc.issues]
            except Refused as exc:
                problems = [str(exc)]
            else:
                messages.success(request, f"已导入为新的草稿活动“{campaign.name}”,请核对后发布")
                return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/settings_import.html", {"problems": problems})
