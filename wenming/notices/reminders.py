"""Deadline reminders (临期提醒): a notice some working days before a deadline, once per deadline.

Apps that own deadlines register a source with :func:`deadline_source` in their
``AppConfig.ready()`` (the application window and the self-assessment: ``campaigns``;
rectification deadlines and 督办 replies: ``rectification``). A source answers, for a range of
dates, every deadline falling in it with the people to tell, reading in a few set-based queries.
:func:`reminders_send` sends each deadline's notice and records its key in the same transaction
(``Reminder``, unique key): running it twice a day, or on two machines, sends nothing twice.
The daily command is ``wenming manage deadline_reminders`` (working days from ``workdays``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction

from wenming.notices.models import Reminder
from wenming.notices.services import notice_send

KIND = "deadline"


@dataclass
class Deadline:
    key: str  # unique for the thing and whom it concerns, e.g. "apply:12:unit:5"; the due date
    due: date  # is added, so a postponed deadline is reminded again
    recipients: list[User]
    title: str
    body: str = ""
    url: str = ""
    obj: models.Model | None = field(default=None, repr=False)

    @property
    def mark(self) -> str:
        return f"{self.key}:{self.due.isoformat()}"[:200]


Source = Callable[[date, date], Iterable[Deadline]]
_SOURCES: list[Source] = []


def deadline_source(func: Source) -> Source:
    """Register ``func(first, last)`` → the deadlines due in [first, last]."""
    if func not in _SOURCES:
        _SOURCES.append(func)
    return func


def due_text(due: date, today: date) -> str:
    """截止日期 as a notice says it: 2026年6月30日(3天后)."""
    days = (due - today).days
    when = "今天" if days == 0 else "明天" if days == 1 else f"{days}天后"
    return f"{due.year}年{due.month}月{due.day}日({when})"


def reminders_send(*, today: date, until: date) -> int:
    """Send the reminders of every deadline due in [today, until] not reminded before; returns
    how many deadlines were reminded."""
    deadlines = [d for source in _SOURCES for d in source(today, until) if d.recipients]
    done = set(
        Reminder.objects.filter(key__in=[d.mark for d in deadlines]).values_list("key", flat=True)
    )
    sent = 0
    for deadline in deadlines:
        if deadline.mark in done:
            continue
        done.add(deadline.mark)
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    key=deadline.mark, due=deadline.due, notices=len(deadline.recipients)
                )
                notice_send(
                    actor=None,
                    recipients=deadline.recipients,
                    title=deadline.title,
                    body=deadline.body,
                    url=deadline.url,
                    kind=KIND,
                    obj=deadline.obj,
                )
        except IntegrityError:  # another run reminded it meanwhile
            continue
        sent += 1
    return sent
