"""What campaigns wait on, per person: one line per campaign and step, with the count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.auth.models import User
from django.db.models import Count
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.campaigns.access import applications_visible_to
from wenming.campaigns.models import Campaign, Objection, ObjectionState, Phase, State
from wenming.notices.todo import Todo, todo_provider


@todo_provider
def campaign_steps(user: User, today: date) -> Iterator[Todo]:
    scope = scope_for(user)
    levels = {office.level for office in scope.offices}
    campaigns = list(
        Campaign.objects.filter(phase=Phase.OPEN).only("id", "name", "chain", "evaluate_until")
    )
    for campaign in campaigns:
        mine = [
            s["key"]
            for s in campaign.chain
            if (s["role"] == "supervisor" and (scope.has(Role.SUPERVISOR)))
            or (
                s["role"] == "office"
                and (
                    scope.is_admin
                    or s.get("level") in levels
                    or (levels and s.get("level") is None)
                )
            )
        ]
        if not mine:
            continue
        waiting = (
            applications_visible_to(user)
            .filter(campaign=campaign, state=State.IN_REVIEW, step__in=mine)
            .values("step")
            .annotate(n=Count("id"))
        )
        labels = {s["key"]: s["label"] for s in campaign.chain}
        for row in waiting:
            due = campaign.evaluate_until
            yield Todo(
                kind="application",
                title=f"{campaign.name}:{row['n']}份申报待{labels[row['step']]}",
                url=reverse("campaigns:applications", args=[campaign.pk])
                + f"?state=in_review&step={row['step']}",
                due=due,
                overdue=due is not None and due < today,
            )


@todo_provider
def unit_applications(user: User, today: date) -> Iterator[Todo]:
    scope = scope_for(user)
    if not scope.own_units:
        return
    for application in (
        applications_visible_to(user)
        .filter(unit_id__in=scope.own_units, state__in=[State.PREPARING, State.RETURNED])
        .select_related("campaign", "unit")[:50]
    ):
        unit_id = application.unit_id
        if scope.holds(Role.UNIT_HEAD, unit_id):
            what = "签署申报"
        elif scope.holds(Role.UNIT_ADMIN, unit_id):
            what = "修改后重新提交申报" if application.state == State.RETURNED else "提交申报"
        else:
            continue
        until = application.campaign.apply_until
        yield Todo(
            kind="application",
            title=f"{application.campaign.name}:{what}",
            url=reverse("campaigns:application", args=[application.pk]),
            due=until,
            overdue=until < today and application.state == State.PREPARING,
            unit_name=application.unit.name,
        )


@todo_provider
def objections(user: User, today: date) -> Iterator[Todo]:
    if not scope_for(user).offices and not scope_for(user).is_admin:
        return
    rows = (
        Objection.objects.filter(
            state=ObjectionState.OPEN,
            application__in=applications_visible_to(user),
        )
        .values(
            "application__campaign_id",
            "application__campaign__name",
            "application__campaign__publicity_end",
        )
        .annotate(n=Count("id"))
    )
    for row in rows:
        due = row["application__campaign__publicity_end"]
        yield Todo(
            kind="objection",
            title=f"{row['application__campaign__name']}:{row['n']}件异议待调查",
            url=reverse("campaigns:objections", args=[row["application__campaign_id"]]),
            due=due,
            overdue=due is not None and due < today,
        )
