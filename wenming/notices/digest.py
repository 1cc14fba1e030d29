"""The e-mail digest: one mail per person listing the notices they have not read and that no
earlier digest mentioned, with links. Run by ``wenming manage notices_digest`` (hourly or daily,
from the host's timer) where ``WENMING_EMAIL_HOST`` is set; the product never depends on it —
every notice is in the product first."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from wenming.notices.models import Notice

PEOPLE_PER_RUN = 2_000  # the rest wait for the next run
NOTICES_PER_MAIL = 50


def digest_send(*, now: datetime | None = None) -> int:
    """Send the digests; returns how many mails went out. Each notice is mailed at most once:
    it is marked in the same transaction as its mail is sent (a failed send marks nothing)."""
    now = now or timezone.now()
    waiting = (
        Notice.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "-created_at")
    )
    by_person: dict[int, list[Notice]] = defaultdict(list)
    people: dict[int, User] = {}
    for notice in waiting.iterator(chunk_size=2_000):
        if notice.recipient_id not in people and len(people) >= PEOPLE_PER_RUN:
            break
        people[notice.recipient_id] = notice.recipient
        by_person[notice.recipient_id].append(notice)
    sent = 0
    with get_connection() as connection:
        for person_id, notices in by_person.items():
            person = people[person_id]
            try:
                with transaction.atomic():
                    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
                    EmailMessage(
                        subject=f"文明创建测评平台:您有{len(notices)}条未读通知",
                        body=_body(person, notices),
                        to=[person.email],
                        connection=connection,
                    ).send()
            except (smtplib.SMTPException, OSError):
                continue  # this person's notices stay unmarked: the next run tries again
            sent += 1
    return sent


def _body(person: User, notices: list[Notice]) -> str:
    name = person.get_full_name() or person.username
    lines = [f"{name}:", "", f"您在文明创建测评平台有{len(notices)}条未读通知:", ""]
    for notice in notices[:NOTICES_PER_MAIL]:
        due = f"(请于{notice.reply_due:%Y-%m-%d}前回复)" if notice.reply_due else ""
        lines.append(f"· {notice.title}{due}")
        if notice.url:
            lines.append(f"  {settings.SITE_URL}{notice.url}")
    if len(notices) > NOTICES_PER_MAIL:
        lines.append(f"· 另有{len(notices) - NOTICES_PER_MAIL}条,请登录平台查看")
    lines += ["", "请登录平台查看和办理。本邮件由系统发送,请勿直接回复。"]
    return "\n".join(lines)
