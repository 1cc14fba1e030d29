"""Who may see citizen reports and their settings: the offices of the report's region (and
system administrators). Units see the problem a report became, never the report itself (its
contact and the photo's location are the office's)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from wenming.accounts.scope import scope_for, scoped_get
from wenming.citizen.models import CitizenReport, ExternalClient, ReportCategory, ReportPlace


def _region_q(user: User | AnonymousUser) -> Q:
    return scope_for(user).q(path="region_path", unit=None, body=None)


def is_report_office(user: User | AnonymousUser) -> bool:
    """An office (or an administrator): the people who handle citizen reports."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.offices)


def reports_visible_to(user: User | AnonymousUser) -> QuerySet[CitizenReport]:
    return CitizenReport.objects.filter(_region_q(user))


def report_get_for_user(user: User | AnonymousUser, pk: int) -> CitizenReport:
    return scoped_get(
        reports_visible_to(user).select_related(
            "region", "category", "category__unit", "place", "problem", "client", "duplicate_of"
        ),
        pk,
        missing="报告不存在或无权查看",
    )


def categories_visible_to(user: User | AnonymousUser) -> QuerySet[ReportCategory]:
    return ReportCategory.objects.filter(_region_q(user))


def category_get_for_user(user: User | AnonymousUser, pk: int) -> ReportCategory:
    return scoped_get(categories_visible_to(user), pk, missing="类别不存在或无权查看")


def places_visible_to(user: User | AnonymousUser) -> QuerySet[ReportPlace]:
    return ReportPlace.objects.filter(_region_q(user))


def place_get_for_user(user: User | AnonymousUser, pk: int) -> ReportPlace:
    return scoped_get(places_visible_to(user), pk, missing="地点不存在或无权查看")


def clients_visible_to(user: User | AnonymousUser) -> QuerySet[ExternalClient]:
    """External systems: a system administrator's business only."""
    if not scope_for(user).is_admin:
        return ExternalClient.objects.none()
    return ExternalClient.objects.all()


def reports_filed_by(client: ExternalClient) -> QuerySet[CitizenReport]:
    """An external system reads only the reports it filed itself (status and reply)."""
    return CitizenReport.objects.filter(client=client)
