"""Reads of citizen reports: what the citizen may see of one, duplicates, the public lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from wenming.citizen.models import CitizenReport, ReportCategory, ReportPlace
from wenming.organizations.models import Region
from wenming.rectification.models import ProblemState

DUPLICATE_DAYS = 7  # reports of the same category and place this close are suggested as one

S = ProblemState
# what the public reads for each state of the problem (no internal step is named)
PUBLIC_STATUS = {
    S.FOUND: "已收到,待受理",
    S.ACCEPTED: "已受理,正在办理",
    S.ASSIGNED: "已受理,正在办理",
    S.HANDLED: "已办理,正在核查",
    S.VERIFIED: "已办理,正在核查",
    S.CALLED_BACK: "已办理,正在核查",
    S.CLOSED: "已办结",
}


@dataclass(frozen=True)
class PublicStatus:
    """Everything the citizen may see of a report: nothing of the office's or the unit's."""

    reference: str
    filed_on: date
    status: str
    closed: bool
    reply: str
    replied_at: datetime | None
    merged_into: str  # the reference of the report it was merged with, or ""


def public_status(reference: str) -> PublicStatus | None:
    """The citizen's view of the report with this reference number (None when unknown)."""
    # the citizen proves nothing but the number: only status and the public reply come back
    report = (
        CitizenReport.objects.filter(reference=reference.strip().upper()[:20])
        .select_related("problem", "duplicate_of")
        .only(
            "reference",
            "created_at",
            "public_reply",
            "replied_at",
            "problem__state",
            "duplicate_of__reference",
        )
        .first()
    )
    if report is None:
        return None
    state = report.problem.state if report.problem else S.FOUND
    return PublicStatus(
        reference=report.reference,
        filed_on=report.created_at.date(),
        status=PUBLIC_STATUS[S(state)],
        closed=state == S.CLOSED,
        reply=report.public_reply,
        replied_at=report.replied_at,
        merged_into=report.duplicate_of.reference if report.duplicate_of else "",
    )


def public_regions() -> QuerySet[Region]:
    """Regions that take reports (at least one category in use)."""
    return Region.objects.filter(
        Exists(ReportCategory.objects.filter(region=OuterRef("pk"), active=True))
    ).order_by("path")


def public_categories(region: Region) -> QuerySet[ReportCategory]:
    return ReportCategory.objects.filter(region=region, active=True).only("name", "region_id")


def public_places(region: Region) -> QuerySet[ReportPlace]:
    return ReportPlace.objects.filter(region=region, active=True).only("name", "region_id")


def _same_q(report: CitizenReport) -> Q:
    window = timedelta(days=DUPLICATE_DAYS)
    same_place = (
        Q(place_id=report.place_id)
        if report.place_id
        else Q(place__isnull=True, place_text__iexact=report.place_text)
    )
    return (
        Q(category_id=report.category_id)
        & same_place
        & Q(created_at__gte=report.created_at - window, created_at__lte=report.created_at + window)
    )


def duplicates_of(report: CitizenReport, rows: QuerySet[CitizenReport]) -> QuerySet[CitizenReport]:
    """Reports among ``rows`` (the office's) that look like the same problem: same category,
    same place, within ``DUPLICATE_DAYS`` days."""
    return (
        rows.filter(_same_q(report))
        .exclude(pk=report.pk)
        .select_related("problem", "place")
        .order_by("created_at")
    )


def with_duplicate_flag(rows: QuerySet[CitizenReport]) -> QuerySet[CitizenReport]:
    """Mark each row that has a possible duplicate (one query, for the list page)."""
    window = timedelta(days=DUPLICATE_DAYS)
    others = CitizenReport.objects.filter(
        category_id=OuterRef("category_id"),
        region_path=OuterRef("region_path"),
        created_at__gte=OuterRef("created_at") - window,
        created_at__lte=OuterRef("created_at") + window,
    ).exclude(pk=OuterRef("pk"))
    same_listed = others.filter(place_id=OuterRef("place_id"))
    same_typed = others.filter(place__isnull=True, place_text__iexact=OuterRef("place_text"))
    # a listed place never matches a typed one: the row's own kind of place decides
    return rows.annotate(dup_listed=Exists(same_listed), dup_typed=Exists(same_typed))
