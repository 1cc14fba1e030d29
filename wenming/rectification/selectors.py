"""Problem reads: the measures, the overview, plan state for re-checks, bulletin data.

Definitions (the figures are computed, never typed in):

* A *period* is a range of whole months; a problem belongs to the month it was received
  (``received_on``, Beijing date). Every figure of a period describes the problems received in
  it, as they stand now: 39,860 of 39,903 received are closed → 处结率 99.89%.
* received: problems received in the period. closed: of those, how many are 结案.
* 处结率 = closed ÷ received. 按期办结率 = closed on time ÷ closed, where *on time* means the
  local date of 结案 is on or before the deadline day (closing on the deadline day is on time).
* A problem sent back by 退回 is not closed until its 结案 and is counted once whatever the
  number of returns (结案 is final; nothing moves a problem out of it).
* 回访率 = complaints whose call-back reached the complainant ÷ complaints closed;
  满意率 = satisfied ÷ reached.
* time to close = whole days from the receipt date to the 结案 date; average and the exact 90th
  percentile (nearest rank: the smallest d with at least 90% of closed problems taking ≤ d
  days), from the close-time histograms kept on the tally rows.
* A period is read from the fewest tally rows that cover it: whole years, then whole
  quarters, then months (``pieces``), so twelve months cost at most six rows per key.
* overdue: received in the period, still open, deadline before today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from wenming.accounts.scope import path_prefix_q, scope_for
from wenming.organizations.models import Region, RegionLevel, Unit
from wenming.organizations.paths import region_ids
from wenming.rectification import histogram
from wenming.rectification.models import (
    TALLY_FIELDS,
    Problem,
    ProblemState,
    RectificationPlan,
    Tally,
    TallyKind,
    TallySpan,
)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Measures:
    received: int = 0
    closed: int = 0
    closed_on_time: int = 0
    days_total: int = 0
    complaints_closed: int = 0
    callbacks_reached: int = 0
    callbacks_satisfied: int = 0
    returned: int = 0
    overdue: int = 0
    days: list[int] = field(default_factory=list)  # closed problems by whole days to close

    def add(self, other: Measures) -> None:
        for name in (*TALLY_FIELDS, "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days = histogram.total([self.days, other.days])

    @property
    def open(self) -> int:
        return self.received - self.closed

    @property
    def close_rate(self) -> Decimal | None:
        return _rate(self.closed, self.received)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.closed_on_time, self.closed)

    @property
    def callback_rate(self) -> Decimal | None:
        return _rate(self.callbacks_reached, self.complaints_closed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.callbacks_satisfied, self.callbacks_reached)

    @property
    def avg_days(self) -> Decimal | None:
        if not self.closed:
            return None
        return (Decimal(self.days_total) / self.closed).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def p90_days(self) -> int | None:
        return histogram.nearest_rank(self.days, 90)


def month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def add_months(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(year, index + 1, 1)


def pieces(start: date, end: date) -> list[tuple[str, date]]:
    """The fewest tally spans covering the months start..end (first days): whole years, then
    whole quarters, then single months, e.g. 2025-12..2026-11 → 2025-12, Q1, Q2, Q3, 10, 11."""
    out: list[tuple[str, date]] = []
    month = start.replace(day=1)
    while month <= end:
        if month.month == 1 and date(month.year, 12, 1) <= end:
            out.append((TallySpan.YEAR.value, month))
            month = date(month.year + 1, 1, 1)
        elif month.month % 3 == 1 and add_months(month, 2) <= end:
            out.append((TallySpan.QUARTER.value, month))
            month = add_months(month, 3)
        else:
            out.append((TallySpan.MONTH.value, month))
            month = add_months(month, 1)
    return out


def _pieces_q(start: date, end: date) -> Q:
    by_span: dict[str, list[date]] = {}
    for span, first in pieces(start, end):
        by_span.setdefault(span, []).append(first)
    q = Q(pk__in=[])
    for span, firsts in by_span.items():
        q |= Q(span=span, start__in=firsts)
    return q


def measures_for(kind: str, keys: Iterable[int], start: date, end: date) -> dict[int, Measures]:
    """Tallied figures (all but overdue) per key for the months start..end (first days), read
    from the few month, quarter and year rows that cover the period."""
    keys = list(keys)
    out = {k: Measures() for k in keys}
    if not keys:
        return out
    rows = (
        Tally.objects.filter(kind=kind, key__in=keys)
        .filter(_pieces_q(start, end))
        .values_list("key", *TALLY_FIELDS, "days")
        .order_by()
    )
    sums: dict[int, list[int]] = {}
    parts: dict[int, list[Any]] = {}
    width = len(TALLY_FIELDS)
    for row in rows:
        key = row[0]
        figures = sums.get(key)
        if figures is None:
            sums[key] = list(row[1 : width + 1])
        else:
            for i in range(width):
                figures[i] += row[i + 1]
        if row[-1]:
            parts.setdefault(key, []).append(histogram.decode(row[-1]))
    for key, figures in sums.items():
        m = out[key]
        (
            m.received,
            m.closed,
            m.closed_on_time,
            m.days_total,
            m.complaints_closed,
            m.callbacks_reached,
            m.callbacks_satisfied,
            m.returned,
        ) = figures
        m.days = histogram.total(parts.get(key, []))
    return out


def _open_overdue(start: date, end: date, today: date) -> QuerySet[Problem]:
    return Problem.objects.exclude(state=ProblemState.CLOSED).filter(
        deadline__lt=today, received_on__gte=start, received_on__lte=month_end(end)
    )


def overdue_by_region(
    regions: list[Region], start: date, end: date, today: date, *, within: Region | None = None
) -> dict[int, int]:
    """Open overdue problems under each region (with sub-regions), from the open-only index:
    one range scan under ``within`` (or everything), rolled up by the paths' region ids."""
    out = dict.fromkeys((r.pk for r in regions), 0)
    if not regions:
        return out
    qs = _open_overdue(start, end, today)
    if within is not None:
        qs = qs.filter(path_prefix_q("region_path", within.path))
    for path, n in qs.values_list("region_path").annotate(n=Count("*")).order_by():
        for region_id in region_ids(path):
            if region_id in out:
                out[region_id] += n
    return out


def overdue_by(
    field_name: str, keys: list[int], start: date, end: date, today: date
) -> dict[int, int]:
    out = dict.fromkeys(keys, 0)
    counts = (
        _open_overdue(start, end, today)
        .filter(**{f"{field_name}__in": keys})
        .values_list(field_name)
        .annotate(n=Count("*"))
        .order_by()
    )
    for key, n in counts:
        out[key] = n
    return out


@dataclass
class Row:
    label: str
    m: Measures
    key: int = 0
    url_region: int | None = None
    rank: int = 0


SORTS = {
    "close_rate": ("处结率", lambda r: (r.m.close_rate or Decimal(-1), r.m.received)),
    "on_time_rate": ("按期办结率", lambda r: (r.m.on_time_rate or Decimal(-1), r.m.closed)),
    "callback_rate": ("回访率", lambda r: (r.m.callback_rate or Decimal(-1), 0)),
    "overdue": ("逾期数(少者在前)", lambda r: (-r.m.overdue, r.m.received)),
    "received": ("受理数", lambda r: (r.m.received, 0)),
}


def rank(rows: list[Row], sort: str) -> list[Row]:
    key = SORTS.get(sort, SORTS["close_rate"])[1]
    ordered = sorted((r for r in rows if r.key), key=key, reverse=True)
    for i, row in enumerate(ordered, start=1):
        row.rank = i
    return ordered + [r for r in rows if not r.key]  # a remainder row is listed, not ranked


@dataclass
class Overview:
    region: Region | None
    level: int
    start: date
    end: date
    total: Measures
    regions: list[Row]
    bodies: list[Row]
    units: list[Row] | None  # only for a township or below (a city has too many units)


def office_region(user: User) -> Region | None:
    """The region an office person oversees (the first of their grants); None for admins."""
    scope = scope_for(user)
    if not scope.region_paths:
        return None
    return Region.objects.filter(path=scope.region_paths[0]).first()


def overview(
    *,
    region: Region | None,
    level: int,
    start: date,
    end: date,
    today: date | None = None,
    sort: str = "close_rate",
) -> Overview:
    """Measures per region at ``level`` under ``region`` (each with everything below it), per
    supervising body located there, and per unit for a township or below; read from tallies."""
    today = today or timezone.localdate()
    below = Region.objects.filter(level=level).order_by("path")
    if region is not None:
        below = below.filter(path_prefix_q("path", region.path))
    regions = list(below.only("id", "name", "path", "level"))
    if region is not None and region.level >= level:
        regions = [region]
    keys = [r.pk for r in regions]
    if region is not None and region.pk not in keys:
        keys.append(region.pk)
    measures = measures_for(TallyKind.REGION, keys, start, end)
    targets = [*regions, region] if region is not None and region not in regions else regions
    overdue = overdue_by_region(targets, start, end, today, within=region)
    rows = []
    for r in regions:
        measures[r.pk].overdue = overdue[r.pk]
        rows.append(Row(r.name, measures[r.pk], key=r.pk, url_region=r.pk))
    if region is not None:
        total = measures[region.pk]
        total.overdue = overdue[region.pk]
        # problems of units placed above the chosen level (e.g. directly under the district)
        covered = Measures()
        for row in rows:
            covered.add(row.m)
        if region.level < level and covered.received != total.received:
            rest = _difference(total, covered)
            rows.append(
                Row(f"{region.name}(不属于任何{RegionLevel(level).label}的单位)", rest, key=0)
            )
    else:
        total = Measures()
        for row in rows:
            total.add(row.m)
    bodies_qs = Unit.objects.filter(supervises=True).only("id", "name")
    if region is not None:
        bodies_qs = bodies_qs.filter(path_prefix_q("region_path", region.path))
    bodies = list(bodies_qs[:500])
    body_measures = measures_for(TallyKind.BODY, [b.pk for b in bodies], start, end)
    body_overdue = overdue_by("body_id", [b.pk for b in bodies], start, end, today)
    body_rows = []
    for b in bodies:
        m = body_measures[b.pk]
        m.overdue = body_overdue[b.pk]
        if m.received:
            body_rows.append(Row(b.name, m, key=b.pk))
    unit_rows = None
    if region is not None and region.level >= RegionLevel.TOWNSHIP:
        units = list(
            Unit.objects.filter(path_prefix_q("region_path", region.path)).only("id", "name")[:2000]
        )
        unit_measures = measures_for(TallyKind.UNIT, [u.pk for u in units], start, end)
        unit_overdue = overdue_by("unit_id", [u.pk for u in units], start, end, today)
        unit_rows = []
        for u in units:
            m = unit_measures[u.pk]
            m.overdue = unit_overdue[u.pk]
            if m.received:
                unit_rows.append(Row(u.name, m, key=u.pk))
        unit_rows = rank(unit_rows, sort)
    return Overview(
        region=region,
        level=level,
        start=start,
        end=end,
        total=total,
        regions=rank(rows, sort),
        bodies=rank(body_rows, sort),
        units=unit_rows,
    )


def _difference(total: Measures, part: Measures) -> Measures:
    rest = Measures()
    for name in (*TALLY_FIELDS, "overdue"):
        setattr(rest, name, getattr(total, name) - getattr(part, name))
    rest.days = histogram.difference(total.days, part.days)
    return rest


# -- plans and re-checks -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanState:
    total: int
    closed: int
    open: int
    overdue: int
    deadline: date
    by_state: dict[str, int]

    @property
    def all_closed(self) -> bool:
        return self.total > 0 and self.closed == self.total

    @property
    def past_deadline(self) -> bool:
        return self.open > 0 and self.deadline < timezone.localdate()


def plan_state(plan: RectificationPlan, *, today: date | None = None) -> PlanState:
    """What a re-check (整改复验) reads: are all the plan's problems closed, how many are
    still open or overdue."""
    today = today or timezone.localdate()
    counts = dict(
        plan.problems.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    total = sum(counts.values())
    closed = counts.get(ProblemState.CLOSED, 0)
    overdue = plan.problems.exclude(state=ProblemState.CLOSED).filter(deadline__lt=today).count()
    return PlanState(
        total=total,
        closed=closed,
        open=total - closed,
        overdue=overdue,
        deadline=plan.deadline,
        by_state={ProblemState(s).label: n for s, n in counts.items()},
    )


def plans_of(origin: object) -> QuerySet[RectificationPlan]:
    """The plans made from one origin (e.g. a campaign application)."""
    from django.db import models

    assert isinstance(origin, models.Model)
    return RectificationPlan.objects.filter(
        origin_type=ContentType.objects.get_for_model(origin), origin_id=origin.pk
    )


def problems_of(origin: object) -> QuerySet[Problem]:
    from django.db import models

    assert isinstance(origin, models.Model)
    return Problem.objects.filter(
        origin_type=ContentType.objects.get_for_model(origin), origin_id=origin.pk
    )


# -- bulletin (通报) ---------------------------------------------------------------------


FEW_UNITS = 2000


@dataclass(frozen=True)
class RepeatOffender:
    unit: Unit
    overdue: int  # received in the period and still open past the deadline
    closed_late: int  # received in the period and closed after the deadline


def repeat_overdue_units(
    *,
    region: Region | None,
    start: date,
    end: date,
    today: date | None = None,
    minimum: int = 2,
    limit: int | None = None,
) -> list[RepeatOffender]:
    """Units (now in ``region``) with at least ``minimum`` problems received in the period that
    went overdue (still open past the deadline, or closed after it): named in the bulletin.
    Closed late = closed − closed on time, from the units' tallies; still open past the
    deadline, from the index over open problems. Most overdue first."""
    today = today or timezone.localdate()
    late = (
        Tally.objects.filter(kind=TallyKind.UNIT, closed__gt=F("closed_on_time"))
        .filter(_pieces_q(start, end))
        .values_list("key")
        .annotate(n=Sum(F("closed") - F("closed_on_time")))
        .order_by()
    )
    still_open = (
        _open_overdue(start, end, today).values_list("unit_id").annotate(n=Count("*")).order_by()
    )
    within: set[int] | None = None
    if region is not None:
        within = set(
            Unit.objects.filter(path_prefix_q("region_path", region.path)).values_list(
                "pk", flat=True
            )
        )
        if len(within) <= FEW_UNITS:  # a few units: look them up; else read all, keep theirs
            late = late.filter(key__in=within)
            still_open = still_open.filter(unit_id__in=within)
    closed_late = {u: n for u, n in late if within is None or u in within}
    overdue = {u: n for u, n in still_open if within is None or u in within}
    counts = [(overdue.get(u, 0) + closed_late.get(u, 0), u) for u in {*closed_late, *overdue}]
    named = sorted(((-n, u) for n, u in counts if n >= minimum))[:limit]
    found = Unit.objects.in_bulk([u for _, u in named])
    return [RepeatOffender(found[u], overdue.get(u, 0), closed_late.get(u, 0)) for _, u in named]
