"""What on-site evaluation waits on, per expert: each assigned unit not yet scored in full, and
for a team leader each reconciliation sheet not yet signed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.auth.models import User
from django.db.models import Count
from django.urls import reverse

from wenming.frameworks.selectors import engine_of
from wenming.notices.todo import PROVIDER_LIMIT, Todo, todo_provider
from wenming.onsite.models import Score, SheetState
from wenming.onsite.selectors import assignments_of_expert


@todo_provider
def onsite_assignments(user: User, today: date) -> Iterator[Todo]:
    assignments = list(
        assignments_of_expert(user)
        .exclude(application__onsite_sheet__state=SheetState.SIGNED)
        .select_related("campaign__edition")
        .defer("campaign__edition__source")[:PROVIDER_LIMIT]
    )
    if not assignments:
        return
    scored = dict(
        Score.objects.filter(
            expert=user, application_id__in=[a.application_id for a in assignments]
        )
        .values("application_id")
        .annotate(n=Count("id"))
        .values_list("application_id", "n")
        .order_by()
    )
    leaves: dict[int, int] = {}
    for a in assignments:
        edition = a.campaign.edition
        if edition.pk not in leaves:
            leaves[edition.pk] = sum(
                1 for node, _, _ in engine_of(edition).framework.walk() if node.is_leaf
            )
        total, done = leaves[edition.pk], scored.get(a.application_id, 0)
        due = a.campaign.evaluate_until
        overdue = due is not None and due < today
        if done < total:
            yield Todo(
                kind="onsite",
                title=f"现场测评:已评{done}/{total}项",
                url=reverse("onsite:score", args=[a.pk]),
                due=due,
                overdue=overdue,
                unit_name=a.unit.name,
            )
        if a.team.leader.user_id == user.pk:
            yield Todo(
                kind="onsite",
                title="合议表待组长合议并签署",
                url=reverse("onsite:sheet", args=[a.pk]),
                due=due,
                overdue=overdue,
                unit_name=a.unit.name,
            )
