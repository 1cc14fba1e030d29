"""The organising office's page: rules, experts, teams, assignments and expert deviations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import regions_visible_to, units_visible_to
from wenming.campaigns.access import campaigns_visible_to, runs_campaign
from wenming.campaigns.models import Campaign
from wenming.onsite.assignments import assignment_create, assignments_auto
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.forms import CampaignActionParams
from wenming.onsite.models import Assignment, Expert, Rule, Team
from wenming.onsite.reconciliation import ExpertDeviation, expert_deviations, reconcile
from wenming.onsite.selectors import assignable_applications, settings_of, team_loads
from wenming.onsite.teams import expert_save, onsite_settings_save, team_create
from wenming.web.actor import actor
from wenming.web.paging import ListPaginator
from wenming.web.params import PageParam, params
from wenming.web.rows import esc, id_url


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    if not runs_campaign(request.user, campaign):
        raise PermissionDenied("只有组织该活动的测评办公室可以管理现场测评")
    return campaign


ASSIGNMENTS_PER_PAGE = 100


def _assignment_rows(page: Page[tuple[Any, ...]]) -> SafeString:
    """The assignments' rows (wenming.web.rows): a province's campaign assigns thousands."""
    return mark_safe(  # every value escaped by esc
        "".join(
            f"<tr><td>{esc(unit)}</td><td>{esc(team)}</td>"
            f'<td><a href="{id_url("onsite:sheet", pk)}">合议表</a></td></tr>\n'
            for pk, unit, team in page
        )
    )


def _expert_rows(experts: list[tuple[Any, ...]]) -> SafeString:
    return mark_safe(  # every value escaped by esc
        "".join(
            f"<tr><td>{esc(name)}</td><td>{esc(home or '')}</td><td>{esc(region)}</td>"
            f"<td>{esc(specialties)}</td></tr>\n"
            for _, name, home, region, specialties, _ in experts
        )
    )


FLAG_ROW = ' class="flag"'
FLAGGED = '<span class="error">系统性偏差</span>'


def _deviation_rows(deviations: list[ExpertDeviation], names: dict[int, str]) -> SafeString:
    """Each expert's deviation (one row an expert of the campaign)."""
    if not deviations:
        return mark_safe('<tr><td colspan="5" class="muted">尚无评分</td></tr>')
    return mark_safe(  # every value escaped by esc
        "".join(
            f"<tr{FLAG_ROW if d.flagged else ''}><td>{esc(names.get(d.expert_id) or d.expert_id)}"
            f'</td><td class="num">{esc(localize(d.n))}</td>'
            f'<td class="num">{esc(localize(d.mean))}</td><td class="num">{esc(localize(d.z))}'
            f"</td><td>{FLAGGED if d.flagged else ''}</td></tr>"
            for d in deviations
        )
    )


@login_required
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The organising office's page. Written to stay cheap at a province's scale (thousands of
    units and experts): plain rows rendered in Python, the assignments a page at a time."""
    campaign = _campaign(request, pk)
    teams = list(
        Team.objects.filter(campaign=campaign)
        .select_related("leader")
        .prefetch_related("members__expert")
    )
    loads = team_loads(campaign)
    for team in teams:
        team.load = loads.get(team.pk, 0)  # type: ignore[attr-defined]
    in_campaign = Assignment.objects.filter(campaign=campaign)
    assignments = ListPaginator(
        in_campaign.order_by("unit__region_path", "unit__name", "pk").values_list(
            "pk", "unit__name", "team__name"
        ),
        ASSIGNMENTS_PER_PAGE,
    ).get_page(params(request.GET, PageParam)["page"])
    pending = list(
        assignable_applications(campaign)
        .exclude(pk__in=in_campaign.values("application_id"))
        .order_by("region_path", "pk")
        .values_list("pk", "unit__name")
    )
    # id, name, home unit, region, specialties, account
    experts = list(
        Expert.objects.order_by("name", "pk").values_list(
            "pk", "name", "home_unit__name", "region__name", "specialties", "user_id"
        )
    )
    rules = settings_of(campaign)
    names = {user_id: name for _, name, _, _, _, user_id in experts}
    deviations = _deviation_rows(expert_deviations(campaign, rules), names)
    return render(
        request,
        "onsite/campaign.html",
        {
            "campaign": campaign,
            "rules": rules,
            "rule_choices": Rule.choices,
            "teams": teams,
            "assignments": assignments,
            "assignment_rows": _assignment_rows(assignments),
            "pending": pending,
            "leaders": [(e[0], e[1]) for e in experts],
            "members": [(e[0], f"{e[1]}({e[2]})" if e[2] else e[1]) for e in experts],
            "expert_rows": _expert_rows(experts),
            "deviations": deviations,
            "expert_users": User.objects.filter(grants__role=Role.EXPERT)
            .exclude(expert__isnull=False)
            .order_by("username"),
            "regions": regions_visible_to(request.user).order_by("path")[:500],
        },
    )


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    f = params(request.POST, CampaignActionParams)
    post = {k: v for k, v in f.items() if v not in (None, "")}
    what = f["action"]
    try:
        if what == "settings":
            onsite_settings_save(
                actor=user,
                campaign=campaign,
                rule=post.get("rule", ""),
                exclude_own_township=post.get("exclude_own_township") == "1",
                spread_percent=30 if f["spread_percent"] is None else f["spread_percent"],
            )
            messages.success(request, "现场测评规则已保存")
        elif what == "expert":
            person = get_object_or_404(User, pk=post.get("user") or 0)
            region = get_object_or_404(regions_visible_to(user), pk=post.get("region") or 0)
            code = post.get("home_unit", "").strip()
            home = units_visible_to(user).filter(credit_code=code).first() if code else None
            if code and home is None:
                raise OnsiteRefused(f"未找到统一社会信用代码为“{code}”的单位")
            expert_save(
                actor=user,
                user=person,
                name=post.get("name", ""),
                region=region,
                home_unit=home,
                specialties=post.get("specialties", ""),
            )
            messages.success(request, "专家信息已保存")
        elif what == "team":
            leader = get_object_or_404(Expert, pk=post.get("leader") or 0)
            members = list(Expert.objects.filter(pk__in=f["members"]))
            team_create(
                actor=user,
                campaign=campaign,
                name=post.get("name", ""),
                leader=leader,
                members=members,
            )
            messages.success(request, "测评组已组建")
        elif what == "assign":
            team = get_object_or_404(Team, pk=post.get("team") or 0, campaign=campaign)
            application = get_object_or_404(
                assignable_applications(campaign), pk=post.get("application") or 0
            )
            assignment_create(actor=user, team=team, application=application)
            messages.success(request, f"已将{application.unit.name}分派给{team.name}")
        elif what == "auto":
            result = assignments_auto(actor=user, campaign=campaign)
            messages.success(request, f"已自动分派{len(result.assigned)}个单位")
            for application, reason in result.refused:
                messages.error(request, f"{application.unit.name}:{reason}")
        elif what == "reconcile":
            report = reconcile(campaign)
            messages.success(
                request,
                f"已合议{report.sheets}个单位、{report.items}个评分项,"
                f"{report.flagged_items}项分差超过预警",
            )
    except OnsiteRefused as exc:
        messages.error(request, str(exc))
    return redirect("onsite:campaign", pk=campaign.pk)
