"""Deadline reminders (``wenming.notices.reminders``) of campaigns: the application window
closing — to the administrators of each unit whose application is not yet submitted, to the
fillers of a self-assessment not yet submitted, and to the office running the campaign."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Q
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.selectors import offices_by_region, people_by_unit
from wenming.assessments.models import AssessmentStatus
from wenming.campaigns.models import Application, Campaign, Phase, State, WindowExtension
from wenming.notices.reminders import Deadline, deadline_source, due_text

NOT_SUBMITTED = (State.PREPARING, State.RETURNED)


@deadline_source
def application_deadlines(first: date, last: date) -> Iterator[Deadline]:
    """The window of each open campaign (or a unit's extension of it) closing in [first, last]."""
    closing = {
        c.pk: c for c in Campaign.objects.filter(phase=Phase.OPEN, apply_until__range=(first, last))
    }
    extended: dict[tuple[int, int], date] = {}
    for campaign_id, unit_id, until in WindowExtension.objects.filter(
        campaign__phase=Phase.OPEN
    ).values_list("campaign_id", "unit_id", "until"):
        key = (campaign_id, unit_id)
        extended[key] = max(until, extended.get(key, until))
    late = {key for key, until in extended.items() if first <= until <= last}
    waiting = list(
        Application.objects.filter(state__in=NOT_SUBMITTED, campaign__phase=Phase.OPEN)
        .filter(
            Q(campaign_id__in=list(closing))
            | Q(
                campaign_id__in={c for c, _ in late},
                unit_id__in={u for _, u in late},
            )
        )
        .select_related("campaign", "unit", "assessment")
    )
    rows = []
    for a in waiting:
        key = (a.campaign_id, a.unit_id)
        until = extended.get(key, a.campaign.apply_until)
        if until < a.campaign.apply_until:
            until = a.campaign.apply_until
        if first <= until <= last:
            rows.append((a, until))
    units = {a.unit_id for a, _ in rows}
    admins = people_by_unit(units, Role.UNIT_ADMIN)
    fillers = people_by_unit(units, Role.UNIT_FILLER)
    for a, until in rows:
        url = reverse("campaigns:application", args=[a.pk])
        when = due_text(until, first)
        what = "已退回修改,尚未重新提交" if a.state == State.RETURNED else "尚未提交"
        yield Deadline(
            key=f"apply:{a.campaign_id}:unit:{a.unit_id}",
            due=until,
            recipients=admins.get(a.unit_id, []),
            title=f"申报即将截止:{a.campaign.name}",
            body=f"{a.unit.name}的申报{what},申报截止日期为{when},请及时核对后提交。",
            url=url,
            obj=a,
        )
        if a.assessment.status != AssessmentStatus.SUBMITTED:
            yield Deadline(
                key=f"self:{a.assessment_id}",
                due=until,
                recipients=fillers.get(a.unit_id, []),
                title=f"自评即将截止:{a.campaign.name}",
                body=f"{a.unit.name}的自评尚未提交,须在{when}申报截止前完成自评并提交。",
                url=reverse("assessments:detail", args=[a.assessment_id]),
                obj=a.assessment,
            )
    offices = offices_by_region({c.region_id for c in closing.values()})
    open_counts: dict[int, int] = {}
    for a, _ in rows:
        open_counts[a.campaign_id] = open_counts.get(a.campaign_id, 0) + 1
    for campaign in closing.values():
        yield Deadline(
            key=f"apply:{campaign.pk}:office",
            due=campaign.apply_until,
            recipients=offices.get(campaign.region_id, []),
            title=f"申报即将截止:{campaign.name}",
            body=f"申报截止日期为{due_text(campaign.apply_until, first)};"
            f"尚有{open_counts.get(campaign.pk, 0)}个单位的申报未提交(已开始填报或已退回修改)。",
            url=reverse("campaigns:detail", args=[campaign.pk]),
            obj=campaign,
        )
