"""Setting a campaign up: create, copy to the next year, open it for applications, extend one
unit's window, correct its settings. One atomic, audited service each; the phase moves through
``campaigns.transitions.phase_change``.

Correcting: each setting may change until the step it governs has started (the application
window until it opens, the chain until an application has entered it, eligibility until a unit
has applied, the rest until publicity). Every changed setting is audited; a change someone else
made in between is refused, never overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenming.accounts.selectors import admins_of_units
from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import (
    DEFAULT_CHAIN,
    Campaign,
    Level,
    Phase,
    State,
    Target,
    WindowExtension,
)
from wenming.campaigns.setup_forms import chain_described
from wenming.campaigns.transitions import Refused, phase_change
from wenming.frameworks.models import FrameworkEdition
from wenming.notices.services import notice_send
from wenming.organizations.models import Region, Unit, UnitType

CHAIN_STEP_FIELDS = {"key", "label", "role", "level", "result"}


@dataclass
class CampaignInput:
    name: str
    year: int
    level: str
    region: Region
    edition: FrameworkEdition
    unit_types: list[UnitType]
    apply_from: date
    apply_until: date
    evaluate_until: date | None = None
    publicity_days: int = 5
    publicity_working_days: bool = True
    term_years: int = 3
    rectify_months: int = 12
    previous_title_required: bool = False
    clean_months: int = 24
    legal_person_required: bool = False
    target_count: int | None = None
    target_percent: int | None = None
    target_score_scale: int = 100
    target_score_cap: int = 100
    chain: list[dict[str, Any]] = field(default_factory=lambda: [dict(s) for s in DEFAULT_CHAIN])
    naming: dict[str, int] = field(default_factory=dict)
    organiser: str = ""


def chain_problems(chain: list[dict[str, Any]]) -> list[str]:
    problems = []
    if not chain:
        problems.append("审核流程至少需要一个环节")
    keys = set()
    for n, step in enumerate(chain, start=1):
        if set(step) - CHAIN_STEP_FIELDS or not {"key", "label", "role"} <= set(step):
            problems.append(f"第{n}个环节的字段应为 key、label、role(可选 level、result)")
            continue
        if step["key"] in keys:
            problems.append(f"环节标识“{step['key']}”重复")
        keys.add(step["key"])
        if step["role"] not in ("supervisor", "office"):
            problems.append(f"第{n}个环节“{step['label']}”的角色应为主管部门或测评办公室")
    if not any(s.get("result") for s in chain):
        problems.append("审核流程中至少一个环节须录入测评结果(如“初评”)")
    return problems


@transaction.atomic
def campaign_create(
    *, actor: User, data: CampaignInput, copied_from: Campaign | None = None
) -> Campaign:
    if not runs_campaign(actor, Campaign(region=data.region)):
        raise Refused("只有本地区(或上级)测评办公室可以创建活动")
    if data.apply_until < data.apply_from:
        raise Refused("申报截止日期早于开始日期")
    if data.level not in Level.values:
        raise Refused(f"级别“{data.level}”无效")
    if data.target_percent is not None and not 0 < data.target_percent <= 100:
        raise Refused("目标占比应在1到100之间")
    problems = chain_problems(data.chain)
    if problems:
        raise Refused(";".join(problems))
    campaign = Campaign.objects.create(
        name=data.name,
        organiser=data.organiser.strip(),
        year=data.year,
        level=data.level,
        region=data.region,
        edition=data.edition,
        apply_from=data.apply_from,
        apply_until=data.apply_until,
        evaluate_until=data.evaluate_until,
        publicity_days=data.publicity_days,
        publicity_working_days=data.publicity_working_days,
        term_years=data.term_years,
        rectify_months=data.rectify_months,
        previous_title_required=data.previous_title_required,
        clean_months=data.clean_months,
        legal_person_required=data.legal_person_required,
        target_count=data.target_count,
        target_percent=data.target_percent,
        target_score_scale=data.target_score_scale,
        target_score_cap=data.target_score_cap,
        chain=data.chain,
        naming={str(k): v for k, v in data.naming.items()},
        copied_from=copied_from,
        created_by=actor,
    )
    campaign.unit_types.set(data.unit_types)
    audit_record(actor=actor, action="campaign.create", obj=campaign, new=campaign.name)
    return campaign


@transaction.atomic
def campaign_copy(
    *, actor: User, campaign: Campaign, year: int, edition: FrameworkEdition
) -> Campaign:
    """Next year's campaign: the same rules, chain and targets, with a new framework edition."""
    shift = year - campaign.year

    def moved(day: date | None) -> date | None:
        if day is None:
            return None
        try:
            return day.replace(year=day.year + shift)
        except ValueError:  # 29 February
            return day.replace(year=day.year + shift, day=28)

    data = CampaignInput(
        organiser=campaign.organiser,
        name=campaign.name.replace(str(campaign.year), str(year)),
        year=year,
        level=campaign.level,
        region=campaign.region,
        edition=edition,
        unit_types=list(campaign.unit_types.all()),
        apply_from=moved(campaign.apply_from) or campaign.apply_from,
        apply_until=moved(campaign.apply_until) or campaign.apply_until,
        evaluate_until=moved(campaign.evaluate_until),
        publicity_days=campaign.publicity_days,
        publicity_working_days=campaign.publicity_working_days,
        term_years=campaign.term_years,
        rectify_months=campaign.rectify_months,
        previous_title_required=campaign.previous_title_required,
        clean_months=campaign.clean_months,
        legal_person_required=campaign.legal_person_required,
        target_count=campaign.target_count,
        target_percent=campaign.target_percent,
        target_score_scale=campaign.target_score_scale,
        target_score_cap=campaign.target_score_cap,
        chain=[dict(s) for s in campaign.chain],
        naming=dict(campaign.naming),
    )
    copy = campaign_create(actor=actor, data=data, copied_from=campaign)
    Target.objects.bulk_create(
        Target(campaign=copy, region_id=t.region_id, supervisor_id=t.supervisor_id, count=t.count)
        for t in campaign.targets.all()
    )
    return copy


@transaction.atomic
def campaign_open(*, actor: User, campaign: Campaign) -> None:
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以发布申报")
    phase_change(actor=actor, campaign=campaign, action="open")


@transaction.atomic
def window_extend(
    *, actor: User, campaign: Campaign, unit: Unit, until: date, reason: str
) -> WindowExtension:
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以延长申报期限")
    if not reason.strip():
        raise Refused("请填写延期原因")
    if until < campaign.apply_until:
        raise Refused("延长后的日期不能早于原截止日期")
    extension = WindowExtension.objects.create(
        campaign=campaign, unit=unit, until=until, reason=reason.strip(), granted_by=actor
    )
    audit_record(
        actor=actor,
        action="campaign.extend",
        obj=campaign,
        field=unit.name,
        old=f"{campaign.apply_until:%Y-%m-%d}",
        new=f"{until:%Y-%m-%d}",
        comment=reason,
    )
    return extension


DATE_SETTINGS = ("apply_until", "evaluate_until")  # told to the units that have applied

# the settings and when each stops being editable
UNTIL_OPEN = ("level", "region", "edition", "apply_from", "unit_types")
UNTIL_APPLIED = ("previous_title_required", "clean_months", "legal_person_required")
UNTIL_REVIEWED = ("chain",)
UNTIL_PUBLICITY = (
    "name", "organiser", "apply_until", "evaluate_until", "publicity_days", "publicity_working_days",
    "term_years", "rectify_months", "target_count", "target_percent", "target_score_scale",
    "target_score_cap", "naming",
)  # fmt: skip


def _shown(name: str, value: Any) -> str:
    if name == "chain":
        return chain_described(value)
    if name == "naming":
        return "、".join(f"{k}→{v}" for k, v in value.items()) or "由组织地区命名"
    if name == "unit_types":
        return "、".join(sorted(str(t) for t in value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def locked_settings(campaign: Campaign) -> dict[str, str]:
    """The settings that can no longer change, each with the reason (how far the campaign is)."""
    if campaign.phase not in (Phase.DRAFT, Phase.OPEN):
        reason = f"活动已{campaign.get_phase_display()}"
        return dict.fromkeys(
            (*UNTIL_OPEN, *UNTIL_APPLIED, *UNTIL_REVIEWED, *UNTIL_PUBLICITY), reason
        )
    locked: dict[str, str] = {}
    applications = campaign.applications.all()
    if applications.exclude(state=State.PREPARING).exists():
        locked.update(dict.fromkeys(UNTIL_REVIEWED, "已有申报进入审核"))
    if applications.exists():
        locked.update(dict.fromkeys(UNTIL_APPLIED, "已有单位申报"))
    if campaign.phase != Phase.DRAFT:
        locked.update(dict.fromkeys(UNTIL_OPEN, "申报已开始"))
    return locked


@transaction.atomic
def campaign_update(
    *, actor: User, campaign: Campaign, version: int, data: CampaignInput, reason: str = ""
) -> list[str]:
    """Apply the changed settings; returns their Chinese names (nothing changed → []). A
    changed date (a postponement) is told, with the reason, to every unit that has applied."""
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以修改活动")
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if current.version != version:
        raise Refused("活动已被他人修改,请刷新后再试")
    if data.apply_until < data.apply_from:
        raise Refused("申报截止日期早于开始日期")
    if data.target_percent is not None and not 0 < data.target_percent <= 100:
        raise Refused("目标占比应在1到100之间")
    problems = chain_problems(data.chain)
    if problems:
        raise Refused(";".join(problems))
    today = timezone.localdate()
    if (
        current.phase == Phase.OPEN
        and data.apply_until != current.apply_until
        and data.apply_until < today
    ):
        raise Refused("申报进行中,申报截止日期不能改到今天之前")
    locked = locked_settings(current)
    before: dict[str, Any] = {
        name: getattr(current, name) for name in _SETTINGS if name != "unit_types"
    }
    before["unit_types"] = set(current.unit_types.all())
    after: dict[str, Any] = {name: getattr(data, name) for name in _SETTINGS}
    after["unit_types"] = set(data.unit_types)
    after["naming"] = {str(k): v for k, v in data.naming.items()}
    changed = [name for name in _SETTINGS if before[name] != after[name]]
    refused = [name for name in changed if name in locked]
    if refused:
        raise Refused(";".join(f"{locked[n]},“{_label(n)}”已不能修改" for n in refused))
    for name in changed:
        audit_record(
            actor=actor,
            action="campaign.update",
            obj=current,
            field=_label(name),
            old=_shown(name, before[name]),
            new=_shown(name, after[name]),
            comment=reason.strip(),
        )
        if name != "unit_types":
            setattr(current, name, after[name])
    if changed:
        fields = [n for n in changed if n != "unit_types"]
        Campaign.objects.filter(pk=current.pk).update(
            version=F("version") + 1, **{n: after[n] for n in fields}
        )
        if "unit_types" in changed:
            current.unit_types.set(after["unit_types"])
    dates = [n for n in changed if n in DATE_SETTINGS]
    if dates:
        lines = [
            f"{_label(n)}:{_shown(n, before[n]) or '未定'} → {_shown(n, after[n])}" for n in dates
        ]
        why = f"\n调整原因:{reason.strip()}" if reason.strip() else ""
        _tell_applicants(actor, current, f"{current.name}日程调整", "\n".join(lines) + why)
    return [_label(n) for n in changed]


_SETTINGS = (*UNTIL_OPEN, *UNTIL_APPLIED, *UNTIL_REVIEWED, *UNTIL_PUBLICITY)


def _label(name: str) -> str:
    own = {"chain": "审核流程", "naming": "命名机关"}
    return own.get(name) or str(getattr(Campaign._meta.get_field(name), "verbose_name", name))


@transaction.atomic
def campaign_cancel(*, actor: User, campaign: Campaign, reason: str) -> None:
    """Call the campaign off before publicity, with the reason: audited, and every unit that
    has applied is told (their applications stay as they were, for the record)."""
    if not runs_campaign(actor, campaign):
        raise Refused("只有组织本活动的测评办公室可以撤销活动")
    if not reason.strip():
        raise Refused("请填写撤销活动的原因")
    phase_change(actor=actor, campaign=campaign, action="cancel", comment=reason.strip())
    _tell_applicants(actor, campaign, f"{campaign.name}已撤销", f"撤销原因:{reason.strip()}")


def _tell_applicants(actor: User, campaign: Campaign, title: str, body: str) -> None:
    notice_send(
        actor=actor,
        recipients=admins_of_units(campaign.applications.values_list("unit_id", flat=True)),
        title=title,
        body=body,
        url=f"/campaigns/{campaign.pk}/",
        kind="campaign",
        obj=campaign,
    )
