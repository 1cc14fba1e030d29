"""Every router on the one API object (imported once, by urls)."""

from __future__ import annotations

from wenming.api.core import api
from wenming.api.endpoints import (
    assessments,
    campaigns,
    dashboards,
    frameworks,
    onsite,
    open311,
    problems,
    titles,
    units,
)

__all__ = ["api"]

for module in (
    units,
    frameworks,
    campaigns,
    assessments,
    onsite,
    problems,
    titles,
    dashboards,
    open311,
):
    api.add_router("/", module.router)
