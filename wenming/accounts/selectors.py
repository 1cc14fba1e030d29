"""Who holds a role over a unit (reads only; the scope for "what may this person see" is scope.py)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.accounts.models import Role


def unit_admins(unit_id: int) -> QuerySet[User]:
    """The people who administer the unit (told about its applications, titles and warnings)."""
    return User.objects.filter(grants__role=Role.UNIT_ADMIN, grants__unit_id=unit_id).distinct()
