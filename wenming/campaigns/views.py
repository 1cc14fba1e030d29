from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.accounts.scope import (
    regions_visible_to,
    scope_for,
    unit_get_for_user,
    units_visible_to,
)
from wenming.accounts.selectors import unit_admins
from wenming.accounts.throttle import device_cookie_ensure, public_post_limited, too_many
from wenming.campaigns.access import (
    applications_visible_to,
    campaign_get_for_user,
    campaigns_visible_list,
    can_act_on_step,
    can_prepare,
    can_sign_as_head,
    runs_campaign,
)
from wenming.campaigns.campaign_setup import campaign_cancel
from wenming.campaigns.eligibility import eligibility_reasons, window_problem, window_until
from wenming.campaigns.forms import (
    ApplicationActionParams,
    ApplicationFilterParams,
    CampaignActionParams,
    ObjectionForm,
    ObjectionResolveParams,
)
from wenming.campaigns.models import (
    Application,
    Campaign,
    Objection,
    ObjectionState,
    Phase,
    SignatureRole,
    State,
)
from wenming.campaigns.outcomes import rectification_recheck
from wenming.campaigns.panels import application_panels
from wenming.campaigns.publicity import (
    campaign_approve,
    campaign_publish,
    objection_file,
    objection_resolve,
    public_list_xlsx,
    public_rows,
)
from wenming.campaigns.score_sheet import score_sheet_blank
from wenming.campaigns.selectors import applications_filtered, published_campaign, state_counts
from wenming.campaigns.services import (
    Refused,
    application_pass,
    application_prepare,
    application_reject,
    application_return,
    application_sign,
    application_submit,
    campaign_copy,
    campaign_open,
    result_shortfall,
    window_extend,
)
from wenming.campaigns.signatures import signature_state
from wenming.campaigns.sources import application_sources
from wenming.campaigns.transitions import APPLICATION
from wenming.frameworks.models import FrameworkEdition
from wenming.ledger.selectors import missing_evidence
from wenming.rectification.selectors import plan_state, plans_of
from wenming.web.actor import actor
from wenming.web.db.prepared import PreparedPerKey
from wenming.web.downloads import XLSX, file_download
from wenming.web.paging import ListPaginator
from wenming.web.params import UnitParam, params

PAGE_SIZE = 50


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_get_for_user(request.user, pk)


def _application(request: HttpRequest, pk: int) -> Application:
    application = (
        applications_visible_to(request.user)
        .select_related("campaign", "campaign__region", "campaign__edition", "unit", "assessment")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404("申报不存在或无权查看")
    return application


def _refused(request: HttpRequest, exc: Refused) -> None:
    messages.error(request, str(exc))


# the list page's campaigns with their application counts, written once per scope
_LISTED: PreparedPerKey[Campaign] = PreparedPerKey()


def _with_counts(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return campaigns.annotate(n=Count("applications"))


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible_list(request.user, _LISTED, _with_counts)
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "can_create": bool(scope_for(request.user).offices) or scope_for(request.user).is_admin,
            "is_admin": scope_for(request.user).is_admin,
        },
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    scope = scope_for(user)
    mine = None
    if scope.own_units:
        mine = campaign.applications.filter(unit_id__in=scope.own_units).first()
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "counts": state_counts(campaign, applications_visible_to(user)),
            "runs": runs_campaign(user, campaign),
            "is_admin": scope.is_admin,
            "mine": mine,
            "own_units": scope.own_units,
            "editions": FrameworkEdition.objects.filter(
                campaign_type=campaign.edition.campaign_type
            ).defer("source"),
            "unit_types": campaign.unit_types.all(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    f = params(request.POST, CampaignActionParams)
    action = f["action"]
    try:
        if action == "open":
            campaign_open(actor=user, campaign=campaign)
            messages.success(request, "已发布,开始接受申报")
        elif action == "copy":
            edition = FrameworkEdition.objects.filter(pk=f["edition"] or 0).first()
            year = f["year"] or campaign.year + 1
            if edition is None:
                raise Refused("请选择新一年的测评体系版本")
            copy = campaign_copy(actor=user, campaign=campaign, year=year, edition=edition)
            messages.success(request, f"已复制为“{copy.name}”")
            return redirect("campaigns:detail", pk=copy.pk)
        elif action == "cancel":
            campaign_cancel(actor=user, campaign=campaign, reason=f["reason"])
            messages.success(request, "活动已撤销,已通知申报单位")
        elif action == "publish":
            start = f["start"] or timezone.localdate()
            campaign_publish(actor=user, campaign=campaign, start=start)
            messages.success(request, f"已发布公示,公示期至 {campaign.publicity_end:%Y-%m-%d}")
        elif action == "approve":
            counts = campaign_approve(actor=user, campaign=campaign, today=timezone.localdate())
            messages.success(
                request,
                f"已命名 {counts['named']} 个单位;{counts['rectifying']} 个基本达标单位已下达整改",
            )
        elif action == "extend":
            key = f["unit"]
            unit = (
                units_visible_to(user)
                .filter(Q(credit_code=key.upper()) | Q(name=key))
                .order_by("pk")
                .first()
            )
            if unit is None:
                raise Refused(f"找不到单位“{key}”(请填写统一社会信用代码或单位全称)")
            until = f["until"]
            if until is None:
                raise Refused("请填写延长后的申报截止日期")
            window_extend(
                actor=user,
                campaign=campaign,
                unit=unit,
                until=until,
                reason=f["reason"],
            )
            messages.success(request, f"已为{unit.name}延长申报期限至 {until:%Y-%m-%d}")
        else:
            raise Refused("未知操作")
    except Refused as exc:
        _refused(request, exc)
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    visible = applications_visible_to(request.user).filter(campaign=campaign)
    filters: dict[str, str] = params(request.GET, ApplicationFilterParams)
    rows = applications_filtered(visible, **filters)
    page = ListPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "campaigns/applications.html",
        {
            "campaign": campaign,
            "page": page,
            "filters": filters,
            "query": query,
            "counts": state_counts(campaign, visible),
            "states": State.choices,
            "regions": regions_visible_to(request.user).filter(level__lte=4).order_by("path")[:200],
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    user = actor(request)
    campaign = application.campaign
    step = campaign.step(application.step) if application.state == State.IN_REVIEW else None
    today = timezone.localdate()
    can_review = step is not None and can_act_on_step(user, application, step)
    runs = runs_campaign(user, campaign)
    # the buttons follow the transition table: what the state allows, to the roles held here
    actions = APPLICATION.allowed(application.state)
    return render(
        request,
        "campaigns/application.html",
        {
            "application": application,
            "campaign": campaign,
            "step": step,
            "can_review": can_review and "pass" in actions,
            "can_prepare": can_prepare(user, application.unit_id),
            "can_sign": can_sign_as_head(user, application.unit_id),
            "signatures": signature_state(application),
            "transitions": application.transitions.select_related("actor"),
            "evaluation": application.evaluations.first(),
            "sources": application_sources(application),
            "objections": application.objections.all() if runs else [],
            "missing": missing_evidence(
                unit=application.unit, edition=campaign.edition, as_of=today
            ),
            "late": window_problem(campaign, application.unit, today),
            "editable": "submit" in actions,
            "plans": _plans(application),
            "runs": runs,
            "recheck": runs and "recheck_fail" in actions,
            "shortfall": result_shortfall(application) if can_review else "",
            # the office running the campaign may set aside an application at any step
            "can_set_aside": runs and not can_review and "reject" in actions,
            "panels": application_panels(user, application),
        },
    )


def _plans(application: Application) -> list[tuple[object, object]]:
    """The rectification plans made for a 基本达标 application, with what a re-check reads."""

    return [(plan, plan_state(plan)) for plan in plans_of(application)]


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's page for one campaign: eligibility with reasons, missing evidence, apply."""
    campaign = _campaign(request, pk)
    user = actor(request)
    own = scope_for(user).own_units
    if not own:
        raise PermissionDenied("只有单位可以申报")
    wanted = params(request.GET if "unit" in request.GET else request.POST, UnitParam)["unit"]
    unit = unit_get_for_user(user, wanted or own[0])
    today = timezone.localdate()
    if request.method == "POST":
        try:
            application = application_prepare(actor=user, campaign=campaign, unit=unit)
        except Refused as exc:
            _refused(request, exc)
        else:
            return redirect("campaigns:application", pk=application.pk)
    existing = campaign.applications.filter(unit=unit).first()
    return render(
        request,
        "campaigns/apply.html",
        {
            "campaign": campaign,
            "unit": unit,
            "existing": existing,
            "reasons": eligibility_reasons(campaign, unit, today=today),
            "late": window_problem(campaign, unit, today),
            "until": window_until(campaign, unit),
            "missing": missing_evidence(unit=unit, edition=campaign.edition, as_of=today),
            "can_prepare": can_prepare(user, unit.pk),
            "admins": [p.get_full_name() or p.username for p in unit_admins(unit.pk)[:5]],
        },
    )


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    user = actor(request)
    f = params(request.POST, ApplicationActionParams)
    action, version, comment = f["action"], f["version"] or 0, f["comment"]
    try:
        if action == "sign":
            application_sign(actor=user, application=application, role=SignatureRole.HEAD)
            messages.success(request, "已签署")
        elif action == "submit":
            application_submit(actor=user, application_id=application.pk, version=version)
            messages.success(request, "已提交申报")
        elif action == "pass":
            application_pass(
                actor=user, application_id=application.pk, version=version, comment=comment
            )
            messages.success(request, "已审核通过")
        elif action == "reject":
            application_reject(
                actor=user, application_id=application.pk, version=version, reason=comment
            )
            messages.success(request, "已记录不通过,并通知单位")
        elif action == "return":
            application_return(
                actor=user, application_id=application.pk, version=version, reason=comment
            )
            messages.success(request, "已退回单位")
        elif action in ("recheck_pass", "recheck_fail"):
            rectification_recheck(
                actor=user,
                application=application,
                passed=action == "recheck_pass",
                comment=comment,
                today=timezone.localdate(),
            )
            messages.success(
                request, "整改复验通过,已命名" if action == "recheck_pass" else "已记录复验不通过"
            )
        else:
            raise Refused("未知操作")
    except Refused as exc:
        _refused(request, exc)
    return redirect("campaigns:application", pk=application.pk)


@login_required
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    step = application.campaign.step(application.step)
    if not step or not can_act_on_step(actor(request), application, step):
        raise PermissionDenied("您不是该环节的审核人")
    return file_download(
        score_sheet_blank(application), f"评分表-{application.unit.name}.xlsx", XLSX
    )


OBJECTIONS_PER_PAGE = 50


@login_required
def objection_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = actor(request)
    if not runs_campaign(user, campaign):
        raise PermissionDenied("只有组织本活动的测评办公室可以办理异议")
    if request.method == "POST":
        f = params(request.POST, ObjectionResolveParams)
        objection = Objection.objects.filter(
            pk=f["objection"], application__campaign=campaign
        ).first()
        if objection is None:
            raise Http404("异议不存在")
        try:
            objection_resolve(
                actor=user,
                objection=objection,
                upheld=f["upheld"] == "1",
                resolution=f["resolution"],
            )
            messages.success(request, "已办结")
        except Refused as exc:
            _refused(request, exc)
        return redirect("campaigns:objections", pk=campaign.pk)
    rows = (
        Objection.objects.filter(application__campaign=campaign)
        .select_related("application__unit", "resolved_by")
        .order_by("state", "-filed_at", "-id")
    )
    page = ListPaginator(rows, OBJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/objections.html",
        {"campaign": campaign, "page": page, "open": ObjectionState.OPEN},
    )


def public_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The publicity list as .xlsx: public like the page."""
    campaign = published_campaign(pk)
    return file_download(public_list_xlsx(campaign), f"{campaign.name}-公示名单.xlsx", XLSX)


def public_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The publicity list: public, no login; objections can be filed here during the window
    (limited per address and per device: the page hands out the device cookie)."""
    return device_cookie_ensure(request, _public_list(request, pk))


def _public_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = published_campaign(pk)
    rows = public_rows(campaign)
    today = timezone.localdate()
    open_now = (
        campaign.phase == Phase.PUBLICITY
        and campaign.publicity_start is not None
        and campaign.publicity_end is not None
        and campaign.publicity_start <= today <= campaign.publicity_end
    )
    form = ObjectionForm(applications=rows)
    if request.method == "POST":
        usage = public_post_limited(request)
        if usage.limited:
            return too_many(request, usage)
    if request.method == "POST" and open_now:
        form = ObjectionForm(request.POST, applications=rows)
        if form.is_valid():
            try:
                objection_file(
                    application=form.cleaned_data["application"],
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    text=form.cleaned_data["text"],
                    today=today,
                )
                messages.success(request, "异议已收到,我们将调查核实并反馈。")
                return redirect("campaigns:public", pk=campaign.pk)
            except Refused as exc:
                _refused(request, exc)
    return render(
        request,
        "campaigns/public.html",
        {"campaign": campaign, "rows": rows, "open_now": open_now, "form": form},
    )
