"""Reading draws; other apps (on-site teams) use ``draw_current`` and ``drawn_application_ids``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from wenming.campaigns.access import campaigns_visible_to, runs_campaign
from wenming.campaigns.models import Campaign
from wenming.draws.models import Draw

NOT_ALLOWED = "只有组织该活动(或上级)的测评办公室可以查看抽签"


def draw_current(campaign: Campaign) -> Draw | None:
    """The draw in force: the latest one, counting redraws."""
    return Draw.objects.filter(campaign=campaign).order_by("-number").first()


def drawn_application_ids(draw: Draw) -> list[int]:
    """The application ids a draw picked, in draw order (best-ranked first)."""
    refs = {c["code"]: int(c["ref"]) for c in draw.candidates}
    return [refs[p["code"]] for p in draw.result if p["code"] in refs]


def draws_of(campaign: Campaign) -> QuerySet[Draw]:
    return Draw.objects.filter(campaign=campaign).select_related("created_by").order_by("-number")


def campaign_for_draws(user: User | AnonymousUser, pk: int) -> Campaign:
    """The campaign if the person runs it; 404 if they cannot see it, 403 if they only see it."""
    campaign = campaigns_visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404("活动不存在或无权查看")
    if not runs_campaign(user, campaign):
        raise PermissionDenied(NOT_ALLOWED)
    return campaign


def draw_get_for_user(user: User | AnonymousUser, pk: int) -> Draw:
    draw = Draw.objects.select_related("created_by", "replaces").filter(pk=pk).first()
    if draw is None:
        raise Http404("抽签记录不存在或无权查看")
    draw.campaign = campaign_for_draws(user, draw.campaign_id)
    return draw
