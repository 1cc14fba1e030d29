from __future__ import annotations

from django.http import HttpRequest

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.notices.selectors import unread_count
from wenming.web.actor import actor


def nav(request: HttpRequest) -> dict[str, object]:
    """What the top bar offers this person (the views check again; this only hides links)."""
    if not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    return {
        "nav_office": scope.has(Role.OFFICE),
        "nav_dashboard": scope.has(Role.OFFICE, Role.SUPERVISOR),
        "nav_roles": sorted(Role(r).label for r in scope.roles),
        "nav_unread": unread_count(actor(request)),
    }
