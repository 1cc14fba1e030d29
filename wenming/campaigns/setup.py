"""Correcting a campaign after it was created: each setting may change until the step it
governs has started (the application window until it opens, the chain until an application
has entered it, eligibility until a unit has applied, the rest until publicity). Every changed
setting is audited; a change someone else made in between is refused, never overwritten."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Campaign, Phase, State
from wenming.campaigns.services import CampaignInput, Refused, chain_problems
from wenming.campaigns.setup_forms import chain_described

# the settings and when each stops being editable
UNTIL_OPEN = ("level", "region", "edition", "apply_from", "unit_types")
UNTIL_APPLIED = ("previous_title_required", "clean_months", "legal_person_required")
UNTIL_REVIEWED = ("chain",)
UNTIL_PUBLICITY = (
    "name", "apply_until", "evaluate_until", "publicity_days", "publicity_working_days",
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
    *, actor: User, campaign: Campaign, version: int, data: CampaignInput
) -> list[str]:
    """Apply the changed settings; returns their Chinese names (nothing changed → [])."""
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
    return [_label(n) for n in changed]


_SETTINGS = (*UNTIL_OPEN, *UNTIL_APPLIED, *UNTIL_REVIEWED, *UNTIL_PUBLICITY)


def _label(name: str) -> str:
    own = {"chain": "审核流程", "naming": "命名机关"}
    return own.get(name) or str(getattr(Campaign._meta.get_field(name), "verbose_name", name))
