from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.notices.selectors import unread_count
from wenming.web.actor import actor

# the top bar's links: reversed once per process instead of on every page (each {% url %} costs
# about as much as a small query); the template reads nav_url.<name with _ for :>
NAV_LINKS = (
    "accounts:directory_rules",
    "accounts:list",
    "accounts:throttles",
    "api_pages:tokens",
    "assessments:list",
    "audit:list",
    "balance:index",
    "campaigns:list",
    "citizen:list",
    "dashboards:index",
    "documents:batch",
    "documents:report",
    "frameworks:list",
    "ledger:list",
    "logout",
    "notices:list",
    "onsite:mine",
    "rectification:list",
    "review:library",
    "surveys:list",
    "titles:list",
    "todo",
    "units:list",
    "webhooks:list",
)


@cache
def nav_urls() -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name) for name in NAV_LINKS}


def nav(request: HttpRequest) -> dict[str, object]:
    """What the top bar offers this person (the views check again; this only hides links)."""
    if not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    return {
        "nav_url": nav_urls(),
        "nav_office": scope.has(Role.OFFICE),
        "nav_dashboard": scope.has(Role.OFFICE, Role.SUPERVISOR),
        # an expert and nothing else has no campaigns to create, no ledger or self-assessment
        "nav_only_expert": scope.roles == {Role.EXPERT} and not request.user.is_superuser,
        "nav_roles": sorted(Role(r).label for r in scope.roles),
        "nav_unread": unread_count(actor(request)),
    }
