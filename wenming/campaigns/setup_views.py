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
from wenming.web.actor import actor
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
