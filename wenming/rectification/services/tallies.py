"""The tallies (month, quarter, year per unit, body and region) that the measures read: kept up
to date by every change, or recomputed from the problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection, models, transaction

from wenming.organizations.paths import region_ids
from wenming.rectification import histogram
from wenming.rectification.models import (
    CALLED_BACK,
    TALLY_FIELDS,
    Problem,
    Tally,
    TallyKind,
)
from wenming.rectification.services.base import month_of, spans_of

# -- tallies -----------------------------------------------------------------------------


def tally_keys(problem: Problem) -> list[tuple[str, int]]:
    keys = [(TallyKind.UNIT.value, problem.unit_id)]
    if problem.body_id:
        keys.append((TallyKind.BODY.value, problem.body_id))
    keys += [(TallyKind.REGION.value, r) for r in region_ids(problem.region_path)]
    return keys


TALLY_KEY = ("kind", "key", "span", "start")


def _upsert_add(
    table: str, conflict: Sequence[str], rows: list[tuple[Any, ...]], adds: Sequence[str]
) -> None:
    """INSERT the rows, or add their figures to the rows already there (one statement; the
    same syntax on SQLite and PostgreSQL). Rows go in sorted order so that two transactions
    lock the rows they share in the same order."""
    if not rows:
        return
    rows = sorted(rows)
    columns = [*conflict, *adds]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in adds)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])


def tally_rows(problem: Problem) -> list[tuple[str, int, str, date]]:
    """The (kind, key, span, start) of every tally row the problem counts in."""
    spans = spans_of(problem.received_on)
    return [(kind, key, span, start) for kind, key in tally_keys(problem) for span, start in spans]


def tally_add(problem: Problem, *, close_days: int | None = None, **deltas: int) -> None:
    """Add ``deltas`` to every tally row of the problem; ``close_days``: it was closed after
    that many whole days (added to the rows' close-time histograms)."""
    values = [deltas.get(f, 0) for f in TALLY_FIELDS]
    targets = tally_rows(problem)
    _upsert_add(Tally._meta.db_table, TALLY_KEY, [(*t, *values) for t in targets], TALLY_FIELDS)
    if close_days is None:
        return
    wanted = models.Q()
    for kind, key, span, start in targets:
        wanted |= models.Q(kind=kind, key=key, span=span, start=start)
    # the upsert above has locked these rows already (on PostgreSQL); read, add, write back
    rows = list(Tally.objects.select_for_update().filter(wanted).only("pk", "days"))
    for row in rows:
        row.days = histogram.add_one(row.days, close_days)
    Tally.objects.bulk_update(rows, ["days"])


# -- tallies from scratch ----------------------------------------------------------------


@transaction.atomic
def tallies_rebuild() -> int:
    """Recompute every tally from the problems (after a bulk load, or to repair). Returns the
    number of tally rows. The transitions keep the same figures up to date one by one."""
    return tallies_compute(Problem, Tally)


def tallies_compute(problem_model: Any, tally_model: Any) -> int:
    """Replace the tallies with ones counted from the problems (the models are parameters so
    that a migration can call this with its historical models). The month rows are counted
    from the problems; the quarter and year rows are the sums of their months."""
    months: dict[tuple[str, int, date], list[int]] = {}
    days: dict[tuple[str, int, date], dict[int, int]] = {}
    rows = problem_model.objects.values_list(
        "unit_id",
        "body_id",
        "region_path",
        "received_on",
        "deadline",
        "closed_on",
        "source",
        "callback_reached",
        "callback_satisfied",
        "return_count",
    )
    size = len(TALLY_FIELDS)
    for (
        unit_id,
        body_id,
        path,
        received_on,
        deadline,
        closed_on,
        source,
        reached,
        satisfied,
        returns,
    ) in rows.iterator(chunk_size=20_000):
        month = month_of(received_on)
        keys = [(TallyKind.UNIT.value, unit_id)]
        if body_id:
            keys.append((TallyKind.BODY.value, body_id))
        keys += [(TallyKind.REGION.value, r) for r in region_ids(path)]
        if closed_on is None:
            add = [1, 0, 0, 0, 0, 0, 0, returns]
        else:
            complaint = source in CALLED_BACK and reached is not None  # not merged
            took = (closed_on - received_on).days
            add = [
                1,
                1,
                int(closed_on <= deadline),
                took,
                int(complaint),
                int(complaint and bool(reached)),
                int(complaint and bool(satisfied)),
                returns,
            ]
        for kind, key in keys:
            k = (kind, key, month)
            t = months.get(k)
            if t is None:
                months[k] = list(add)
            else:
                for i in range(size):
                    t[i] += add[i]
            if closed_on is not None:
                h = days.setdefault(k, {})
                h[took] = h.get(took, 0) + 1
    # roll the months up into their quarters and years
    tallies: dict[tuple[str, int, str, date], list[int]] = {}
    histograms: dict[tuple[str, int, str, date], dict[int, int]] = {}
    for (kind, key, month), figures in months.items():
        for span, start in spans_of(month):
            k2 = (kind, key, span, start)
            t = tallies.get(k2)
            if t is None:
                tallies[k2] = list(figures)
            else:
                for i in range(size):
                    t[i] += figures[i]
            if (kind, key, month) in days:
                h = histograms.setdefault(k2, {})
                for d, n in days[(kind, key, month)].items():
                    h[d] = h.get(d, 0) + n
    tally_model.objects.all().delete()
    tally_model.objects.bulk_create(
        (
            tally_model(
                kind=kind,
                key=key,
                span=span,
                start=start,
                days=histogram.from_counts(histograms.get((kind, key, span, start), {})),
                **dict(zip(TALLY_FIELDS, v, strict=True)),
            )
            for (kind, key, span, start), v in tallies.items()
        ),
        batch_size=5000,
    )
    return len(tallies)
