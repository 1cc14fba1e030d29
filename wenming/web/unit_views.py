"""A unit's page: its record with the titles, self-assessments and audit trail that other apps
keep about it (top row: it gathers from organizations, titles, assessments and audit)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wenming.accounts.scope import unit_get_for_user
from wenming.assessments.access import assessments_visible_to
from wenming.audit.services import audit_trail
from wenming.titles.access import can_manage, offices_over
from wenming.titles.selectors import titles_of
from wenming.titles.services import holder_event_choices


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_get_for_user(request.user, pk)
    titles = list(titles_of(unit))
    manager = offices_over(request.user, unit)
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "departments": list(unit.departments.all()),
            "supervised": unit.supervised.count(),
            "assessments": assessments_visible_to(request.user)
            .filter(unit=unit)
            .select_related("edition"),
            "trail": audit_trail(unit)[:50],
            "unit_titles": titles,
            "holder_events": holder_event_choices(sorted({t.kind for t in titles}))
            if manager
            else [],
            "title_manager": manager,
            # the titles whose naming authority this office may act for (a district office
            # over a unit does not handle the city's title: no buttons that end in a refusal)
            "manageable": {t.pk for t in titles if manager and can_manage(request.user, t)},
            "today": timezone.localdate(),
        },
    )
