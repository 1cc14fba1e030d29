"""From the owning apps' hooks to deliveries: which subscriptions want the event, with what
payload. Receivers run after the change commits (a rolled-back change sends nothing)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wenming.accounts.scope import ancestor_paths
from wenming.campaigns.models import Application
from wenming.campaigns.transitions import ApplicationChanged
from wenming.core.points import fmt
from wenming.rectification.models import Problem
from wenming.rectification.transitions import ProblemOverdue
from wenming.titles.models import Title
from wenming.titles.transitions import TitleChanged
from wenming.webhooks.models import Delivery, Event, Subscription
from wenming.webhooks.tasks import delivery_send


def deliveries_create(*, event: str, region_path: str, data: dict[str, Any]) -> list[Delivery]:
    """One delivery per active subscription of a region over ``region_path`` that wants
    ``event``; each handed to the worker once this commits."""
    wanted = [
        s
        for s in Subscription.objects.filter(
            Q(region_path__in=ancestor_paths(region_path)), active=True
        )
        if event in s.events
    ]
    if not wanted:
        return []
    payload_base = {"event": event, "at": timezone.now().isoformat(), "data": data}
    with transaction.atomic():
        made = [
            Delivery.objects.create(
                subscription=s, region_path=region_path, event=event, payload=payload_base
            )
            for s in wanted
        ]
        for delivery in made:
            transaction.on_commit(partial(delivery_send.enqueue, delivery.pk))
    return made


def on_application_changed(change: ApplicationChanged) -> None:
    application = (
        Application.objects.select_related("unit", "campaign")
        .filter(pk=change.application_id)
        .first()
    )
    if application is None:
        return
    data = {
        "application_id": application.pk,
        "campaign_id": application.campaign_id,
        "campaign_name": application.campaign.name,
        "unit_id": application.unit_id,
        "unit_name": application.unit.name,
        "credit_code": application.unit.credit_code,
        "state": application.state,
        "state_label": application.get_state_display(),
        "step": application.step,
    }
    if change.card is not None:
        score = application.result_centi
        data |= {
            "score": fmt(score) if score is not None else None,
            "grade": application.result_grade,
            "vetoed": application.result_vetoed,
        }
        event = Event.RESULT
    else:
        event = Event.APPLICATION
    deliveries_create(event=event, region_path=application.region_path, data=data)


def on_title_changed(change: TitleChanged) -> None:
    events = {"grant": Event.TITLE_GRANTED, "revoke": Event.TITLE_REVOKED}
    event = events.get(change.action)
    title = Title.objects.select_related("unit").filter(pk=change.title_id).first()
    if event is None or title is None:
        return
    data = {
        "title_id": title.pk,
        "unit_id": title.unit_id,
        "unit_name": title.unit.name,
        "credit_code": title.unit.credit_code,
        "name": title.name,
        "year": title.year,
        "valid_until": title.valid_until.isoformat(),
        "status": title.status,
        "reason": title.reason,
    }
    deliveries_create(event=event, region_path=title.region_path, data=data)


def on_problem_overdue(change: ProblemOverdue) -> None:
    problem = Problem.objects.select_related("unit").filter(pk=change.problem_id).first()
    if problem is None:
        return
    data = {
        "problem_id": problem.pk,
        "unit_id": problem.unit_id,
        "unit_name": problem.unit.name,
        "title": problem.title,
        "state": problem.state,
        "deadline": problem.deadline.isoformat(),
        "overdue_days": change.overdue_days,
        "escalation_level": change.level,
    }
    deliveries_create(event=Event.PROBLEM_OVERDUE, region_path=problem.region_path, data=data)
