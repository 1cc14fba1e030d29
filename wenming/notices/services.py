from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.notices.models import Notice

NOT_YOURS = "这不是发给您的通知"
NO_REPLY_ASKED = "该通知不需要回复"
ALREADY_REPLIED = "该通知已回复,不能重复回复"
REPLY_EMPTY = "请填写回复内容"
REPLY_ELSEWHERE = "请在相关事项的页面回复"

# Kinds of notice whose reply is recorded on the page the notice links to (a 督办 notice is
# answered on the supervision notice, which the sending app keeps): the notice shows its reply
# deadline, the sending app's own to-do asks for the reply, and notices_mark_replied() closes it.
_REPLIED_ELSEWHERE: set[str] = set()


def notice_kind_replied_elsewhere(kind: str) -> None:
    """Register (in AppConfig.ready()) a kind of notice answered on its linked page."""
    _REPLIED_ELSEWHERE.add(kind)


def replied_elsewhere(notice: Notice) -> bool:
    return notice.kind in _REPLIED_ELSEWHERE


def replied_elsewhere_kinds() -> frozenset[str]:
    return frozenset(_REPLIED_ELSEWHERE)


def notices_mark_replied(*, obj: models.Model, text: str) -> int:
    """The reply was made on the linked page: the notices about ``obj`` stop waiting for one."""
    now = timezone.now()
    return Notice.objects.filter(
        object_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        reply_due__isnull=False,
        replied_at__isnull=True,
    ).update(reply=text[:20_000], replied_at=now)


def notice_send(
    *,
    actor: User | None,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "",
    obj: models.Model | None = None,
    reply_due: date | None = None,
) -> list[Notice]:
    """One notice per distinct recipient; a notice asking for a reply is audited as sent."""
    object_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = str(obj.pk) if obj is not None else ""
    seen: set[int] = set()
    notices = []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notices.append(
            Notice(
                recipient=user,
                sender=actor,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                object_type=object_type,
                object_id=object_id,
                reply_due=reply_due,
            )
        )
    with transaction.atomic():
        created = Notice.objects.bulk_create(notices)
        if reply_due is not None and obj is not None:
            names = "、".join(n.recipient.get_full_name() or n.recipient.username for n in notices)
            audit_record(
                actor=actor,
                action="notice.send",
                obj=obj,
                new=f"{title}(回复期限 {reply_due:%Y-%m-%d})",
                comment=f"发送给:{names}",
            )
    return created


def notice_read(*, actor: User, notice: Notice) -> None:
    if notice.recipient_id != actor.pk:
        raise PermissionError(NOT_YOURS)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notice_reply(*, actor: User, notice: Notice, text: str) -> Notice:
    """Record the recipient's reply once (a double click cannot reply twice)."""
    if notice.recipient_id != actor.pk:
        raise PermissionError(NOT_YOURS)
    if notice.reply_due is None:
        raise ValueError(NO_REPLY_ASKED)
    if replied_elsewhere(notice):
        raise ValueError(REPLY_ELSEWHERE)
    text = text.strip()
    if not text:
        raise ValueError(REPLY_EMPTY)
    now = timezone.now()
    changed = Notice.objects.filter(pk=notice.pk, replied_at__isnull=True).update(
        reply=text, replied_at=now, read_at=notice.read_at or now
    )
    if not changed:
        raise ValueError(ALREADY_REPLIED)
    notice.refresh_from_db()
    audit_record(actor=actor, action="notice.reply", obj=notice, new=text[:200])
    return notice
