"""Who may apply to a campaign, with the reasons shown to the unit when it may not."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from wenming.assessments.models import AssessmentStatus, EntryKind, SelfAssessment
from wenming.campaigns.models import Campaign, WindowExtension
from wenming.core.engine import months_before
from wenming.organizations.models import Unit
from wenming.titles.selectors import held_previous

NOT_SUBMITTED = "尚未提交本测评体系的自评,请先完成并提交自评"


def latest_submitted(campaign: Campaign, unit: Unit) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(
            unit=unit, edition=campaign.edition, status=AssessmentStatus.SUBMITTED
        )
        .order_by("-revision")
        .first()
    )


def window_until(campaign: Campaign, unit: Unit) -> date:
    """The last day this unit may apply: the campaign's deadline or its recorded extension."""
    extension = (
        WindowExtension.objects.filter(campaign=campaign, unit=unit).order_by("-until").first()
    )
    return max(campaign.apply_until, extension.until) if extension else campaign.apply_until


def window_problem(campaign: Campaign, unit: Unit, today: date) -> str:
    if today < campaign.apply_from:
        return f"申报尚未开始(开始日期 {campaign.apply_from:%Y-%m-%d})"
    until = window_until(campaign, unit)
    if today > until:
        return f"申报已于 {until:%Y-%m-%d} 截止,逾期申报须由测评办公室为本单位延期"
    return ""


def eligibility_reasons(
    campaign: Campaign, unit: Unit, *, today: date, assessment: SelfAssessment | None = None
) -> list[str]:
    """Every reason the unit may not apply (empty: eligible). Checked automatically on apply."""
    reasons = []
    if not campaign.unit_types.filter(pk=unit.unit_type_id).exists():
        names = "、".join(campaign.unit_types.values_list("name", flat=True))
        reasons.append(f"单位类型“{unit.unit_type.name}”不在本次申报范围({names})")
    if not (unit.region_path or "").startswith(campaign.region.path):
        reasons.append(f"单位不在{campaign.region.name}范围内")
    if campaign.legal_person_required and not unit.legal_person:
        reasons.append("本次申报要求独立法人单位")
    if campaign.previous_title_required and not held_previous(
        unit, kind=campaign.edition.campaign_type, level=campaign.level, year=campaign.year
    ):
        reasons.append(
            f"上一届未获{campaign.get_level_display()}{campaign.edition.campaign_type}称号"
        )
    assessment = assessment or latest_submitted(campaign, unit)
    if assessment is None:
        reasons.append(NOT_SUBMITTED)
    elif campaign.clean_months:
        since = months_before(today, campaign.clean_months)
        events = assessment.entries.filter(
            Q(event_date__gt=since) | Q(event_date__isnull=True), kind=EntryKind.EVENT, value="是"
        ).values_list("code", "event_date")
        for code, day in events:
            when = f"{day:%Y-%m-%d}" if day else "日期未填"
            reasons.append(f"{campaign.clean_months}个月内有一票否决或负面清单事项({code},{when})")
    return reasons
