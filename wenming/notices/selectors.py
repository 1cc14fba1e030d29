from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.notices.models import Notice
from wenming.web.db.prepared import Prepared

# asked by the top bar of every page: written by the ORM once per process (wenming.web.db.prepared)
_UNREAD = Prepared(
    lambda who: Notice.objects.filter(recipient_id=who, read_at__isnull=True).count()
)


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user).select_related("sender")


def unread_count(user: User) -> int:
    return int(_UNREAD.value(user.pk) or 0)
