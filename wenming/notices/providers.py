"""The notices' own to-do provider (other apps register theirs in their ``todo.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.auth.models import User
from django.urls import reverse

from wenming.notices.models import Notice
from wenming.notices.services import replied_elsewhere_kinds
from wenming.notices.todo import PROVIDER_LIMIT, Todo, todo_provider


@todo_provider
def notices_awaiting_reply(user: User, today: date) -> Iterator[Todo]:
    waiting = (
        Notice.objects.filter(recipient=user, reply_due__isnull=False, replied_at__isnull=True)
        .exclude(kind__in=replied_elsewhere_kinds())  # their own app lists them
        .order_by("reply_due")[:PROVIDER_LIMIT]
    )
    for notice in waiting:
        yield Todo(
            kind="notice",
            title=f"回复:{notice.title}",
            url=reverse("notices:detail", args=[notice.pk]),
            due=notice.reply_due,
            overdue=notice.reply_due is not None and notice.reply_due < today,
        )
