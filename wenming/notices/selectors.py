from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.notices.models import Notice


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user).select_related("sender")


def unread_count(user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()
