"""Publicity (公示), objections (异议) and approval (命名): from the proposed list to titles."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from wenming.accounts.selectors import admins_of_units
from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import (
    Application,
    Campaign,
    Objection,
    ObjectionState,
    Phase,
    State,
)
from wenming.campaigns.outcomes import grant_titles, plan_rectification
from wenming.campaigns.transitions import APPLICATION, Refused, application_move, phase_change
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.notices.services import notice_send
from wenming.workdays.services import period_end

STILL_IN_REVIEW = "还有{n}份申报未完成审核({units}),不能公示:请先办理;不再等待的申报,可在其申报页面填写理由后“不通过”"
WINDOW_OPEN = "申报截止日期({day:%Y-%m-%d})前不能发布公示,单位仍可申报"
EMPTY_LIST = "拟命名名单为空(没有审核通过的单位),不能发布公示"
OPEN_OBJECTIONS = "还有{n}件异议未办结,不能命名"
PUBLICITY_NOT_OVER = "公示期至 {day:%Y-%m-%d} 结束,公示期满后才能命名"
NOT_IN_PUBLICITY = "该活动不在公示期内"


PUBLIC_STATES = (State.LISTED, State.RECTIFYING, State.NAMED)


def public_rows(campaign: Campaign) -> QuerySet[Application]:
    """The units on the published list, in the order the list prints them."""
    return (
        campaign.applications.filter(state__in=PUBLIC_STATES)
        .select_related("unit", "unit__unit_type", "unit__region")
        .order_by("unit__region__path", "unit__name")
    )


def public_result(application: Application) -> str:
    if application.state == State.RECTIFYING:
        return "基本达标(限期整改)"
    return "已命名" if application.state == State.NAMED else "拟命名"


def public_list_xlsx(campaign: Campaign) -> bytes:
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet("公示名单")
    sheet.append([f"{campaign.name}拟命名名单"])
    if campaign.publicity_start and campaign.publicity_end:
        sheet.append(
            [f"公示期:{campaign.publicity_start:%Y-%m-%d} 至 {campaign.publicity_end:%Y-%m-%d}"]
        )
    sheet.append(["序号", "单位名称", "统一社会信用代码", "地区", "单位类型", "结果"])
    for n, a in enumerate(public_rows(campaign).iterator(chunk_size=2000), start=1):
        sheet.append(
            [n, a.unit.name, a.unit.credit_code, a.unit.region.name, a.unit.unit_type.name,
             public_result(a)]
        )  # fmt: skip
    return workbook_bytes(wb)


def publicity_window(campaign: Campaign, start: date) -> date:
    return period_end(start, campaign.publicity_days, working=campaign.publicity_working_days)


@transaction.atomic
def campaign_publish(*, actor: User, campaign: Campaign, start: date) -> None:
    """Publish the proposed list: every application must have left the review chain."""
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以发布公示")
    last_day = max([campaign.apply_until, *campaign.extensions.values_list("until", flat=True)])
    if timezone.localdate() <= last_day:
        raise Refused(WINDOW_OPEN.format(day=last_day))
    pending = campaign.applications.filter(state=State.IN_REVIEW)
    if pending.exists():
        names = list(pending.order_by("unit__name").values_list("unit__name", flat=True)[:5])
        more = "等" if pending.count() > len(names) else ""
        raise Refused(STILL_IN_REVIEW.format(n=pending.count(), units="、".join(names) + more))
    if not campaign.applications.filter(state__in=APPLICATION["remove"].sources).exists():
        raise Refused(EMPTY_LIST)
    end = publicity_window(campaign, start)
    phase_change(
        actor=actor,
        campaign=campaign,
        action="publish",
        publicity_start=start,
        publicity_end=end,
    )
    listed = campaign.applications.filter(state__in=APPLICATION["remove"].sources)
    notice_send(
        actor=actor,
        recipients=admins_of_units(listed.values_list("unit_id", flat=True)),
        title=f"{campaign.name}:本单位已列入拟命名名单公示",
        body=f"公示期为{start:%Y-%m-%d}至{end:%Y-%m-%d},公示期满无异议后命名。",
        url=f"/campaigns/{campaign.pk}/public/",
        kind="campaign",
        obj=campaign,
    )


@transaction.atomic
def objection_file(
    *, application: Application, name: str, phone: str, text: str, today: date
) -> Objection:
    """Anyone may object during the window; contact details are required (not published)."""
    campaign = application.campaign
    if campaign.phase != Phase.PUBLICITY or not (
        campaign.publicity_start and campaign.publicity_end
    ):
        raise Refused(NOT_IN_PUBLICITY)
    if not campaign.publicity_start <= today <= campaign.publicity_end:
        raise Refused(
            f"公示期为 {campaign.publicity_start:%Y-%m-%d} 至 {campaign.publicity_end:%Y-%m-%d}"
        )
    if application.state not in APPLICATION["remove"].sources:
        raise Refused("该单位不在公示名单中")
    if not name.strip() or not phone.strip() or not text.strip():
        raise Refused("请填写姓名、联系电话和异议内容")
    if len(name.strip()) > 50 or len(phone.strip()) > 30 or len(text.strip()) > 2000:
        raise Refused("姓名不超过50个字,联系电话不超过30个字符,异议内容不超过2000个字")
    objection = Objection.objects.create(
        application=application, name=name.strip(), phone=phone.strip(), text=text.strip()
    )
    audit_record(actor=None, action="objection.file", obj=application, new=text.strip()[:200])
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: User, objection: Objection, upheld: bool, resolution: str
) -> Objection:
    """Record the investigation: upheld takes the unit off the list with the reason."""
    application = objection.application
    campaign = application.campaign
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以办理异议")
    if not resolution.strip():
        raise Refused("请填写调查结论")
    new_state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    changed = Objection.objects.filter(pk=objection.pk, state=ObjectionState.OPEN).update(
        state=new_state,
        resolution=resolution.strip(),
        resolved_by=actor,
        resolved_at=timezone.now(),
    )
    if not changed:
        raise Refused("该异议已办结")
    audit_record(
        actor=actor,
        action="objection.resolve",
        obj=application,
        field="异议",
        old=ObjectionState.OPEN.label,
        new=new_state.label,
        comment=resolution.strip(),
    )
    if upheld and application.state in APPLICATION["remove"].sources:
        # compare-and-set on the version the page was read with: an application changed
        # meanwhile (another objection upheld, the list approved) is refused, not moved twice
        application_move(
            application,
            actor=actor,
            action="remove",
            to=State.REMOVED,
            version=application.version,
            comment=resolution.strip(),
        )
    objection.refresh_from_db()
    return objection


@transaction.atomic
def campaign_approve(*, actor: User, campaign: Campaign, today: date) -> dict[str, int]:
    """After publicity with every objection resolved: titles for the list; rectification plans
    for 基本达标 units. Returns counts."""
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以命名")
    if campaign.phase != Phase.PUBLICITY or campaign.publicity_end is None:
        raise Refused(NOT_IN_PUBLICITY)
    if today <= campaign.publicity_end:
        raise Refused(PUBLICITY_NOT_OVER.format(day=campaign.publicity_end))
    open_objections = Objection.objects.filter(
        application__campaign=campaign, state=ObjectionState.OPEN
    ).count()
    if open_objections:
        raise Refused(OPEN_OBJECTIONS.format(n=open_objections))
    counts = {"named": 0, "rectifying": 0}
    for application in campaign.applications.filter(
        Q(state=State.LISTED) | Q(state=State.RECTIFYING)
    ).select_related("unit", "unit__unit_type"):
        if application.state == State.LISTED:
            grant_titles(actor=actor, campaign=campaign, application=application, today=today)
            counts["named"] += 1
        else:
            plan_rectification(actor=actor, campaign=campaign, application=application, today=today)
            counts["rectifying"] += 1
    phase_change(actor=actor, campaign=campaign, action="approve")
    return counts
