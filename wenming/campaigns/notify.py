"""Who is told about an application's steps."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.accounts.models import Role


def unit_admins(unit_id: int) -> QuerySet[User]:
    return User.objects.filter(grants__role=Role.UNIT_ADMIN, grants__unit_id=unit_id).distinct()
