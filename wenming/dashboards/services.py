"""Keep the dashboard tallies in step with the applications (see models.py for the design).

``dashboard_application_sync`` runs in the same transaction as each change: it is connected to
the campaigns' ``application_changed`` hook (exact) in ``DashboardsConfig.ready()``, so campaigns
never imports this app. ``dashboards_rebuild`` recomputes everything from the raw rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from wenming.campaigns.models import Application, Campaign, Evaluation
from wenming.campaigns.transitions import ApplicationChanged
from wenming.core.engine import Scorecard
from wenming.core.errors import FileInvalid
from wenming.core.results import results_from_data
from wenming.dashboards.models import Entry, LossSum, StateCount, TallyKind
from wenming.frameworks.selectors import engine_of
from wenming.organizations.paths import region_ids
from wenming.web.cache import kept_values_changed

CHUNK = 400  # rows per upsert statement (SQLite's limit on bound parameters)

StateKey = tuple[int, str, int, int, str, str]  # campaign, kind, key, unit type, state, grade
LossKey = tuple[int, str, int, int, str]  # campaign, kind, key, unit type, code


def losses_of(card: Scorecard) -> dict[str, int]:
    """Points lost per leaf indicator (hundredths), bonus items left out; only the losses."""
    engine = card.engine
    lost = {}
    for index, code, _scorer in engine.leaves:
        if code in engine.bonus_codes:
            continue
        # the item's maximum for this unit: 不适用 and items limited away lose nothing
        points = card.node_max[index] - card.scores[index]
        if points > 0:
            lost[code] = points
    return lost


def _keys(entry: Entry) -> list[tuple[str, int]]:
    keys = [(TallyKind.REGION.value, r) for r in region_ids(entry.region_path)]
    if entry.supervisor_id:
        keys.append((TallyKind.BODY.value, entry.supervisor_id))
    return keys


def _contribution(
    entry: Entry, sign: int, states: Counter[StateKey], losses: Counter[LossKey]
) -> None:
    for kind, key in _keys(entry):
        states[(entry.campaign_id, kind, key, entry.unit_type_id, entry.state, entry.grade)] += sign
        for code, points in entry.lost.items():
            losses[(entry.campaign_id, kind, key, entry.unit_type_id, code)] += sign * points


def _upsert_add(
    table: str, conflict: Sequence[str], add: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    """INSERT the rows, or add their figure to the row already there (the same statement on
    SQLite and PostgreSQL)."""
    rows = list(rows)
    columns = [*conflict, add]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
            f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {add} = {table}.{add} + excluded.{add}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for row in chunk for v in row])


def _apply(states: Counter[StateKey], losses: Counter[LossKey]) -> None:
    _upsert_add(
        StateCount._meta.db_table,
        ("campaign_id", "kind", "key", "unit_type_id", "state", "grade"),
        "count",
        ((*k, n) for k, n in states.items() if n),
    )
    _upsert_add(
        LossSum._meta.db_table,
        ("campaign_id", "kind", "key", "unit_type_id", "code"),
        "lost_centi",
        ((*k, n) for k, n in losses.items() if n),
    )


# what an application contributes to the tallies, in the order ``Entry`` takes them
ENTRY_FIELDS = (
    "campaign_id",
    "unit_id",
    "unit__unit_type_id",
    "region_path",
    "supervisor_id",
    "state",
    "result_grade",
    "result_centi",
)


def _entry_for(application_id: int) -> Entry | None:
    row = Application.objects.filter(pk=application_id).values_list(*ENTRY_FIELDS).first()
    if row is None:
        return None
    campaign, unit, unit_type, path, supervisor, state, grade, centi = row
    return Entry(
        application_id=application_id,
        campaign_id=campaign,
        unit_id=unit,
        unit_type_id=unit_type,
        region_path=path,
        supervisor_id=supervisor,
        state=state,
        grade=grade,
        result_centi=centi,
    )


@transaction.atomic
def dashboard_application_sync(*, application_id: int, card: Scorecard | None = None) -> None:
    """Bring the tallies up to date with one application: call after every change to its state
    or result, inside the same transaction. ``card`` is the new evaluation's scorecard when one
    was just recorded (its points lost replace the previous ones)."""
    old = Entry.objects.select_for_update().filter(application_id=application_id).first()
    new = _entry_for(application_id)
    if new is not None:
        new.lost = losses_of(card) if card is not None else (old.lost if old else {})
    states: Counter[StateKey] = Counter()
    losses: Counter[LossKey] = Counter()
    if old is not None:
        _contribution(old, -1, states, losses)
    if new is not None:
        _contribution(new, +1, states, losses)
        new.save()
    elif old is not None:
        old.delete()
    _apply(states, losses)


def dashboard_application_changed(change: ApplicationChanged) -> None:
    """The receiver of ``campaigns.transitions.application_changed``."""
    dashboard_application_sync(application_id=change.application_id, card=change.card)


@transaction.atomic
def dashboards_rebuild() -> tuple[int, int, int]:
    """Recompute every entry and tally from the applications and their latest evaluations
    (each scored again by the engine). Returns (entries, state rows, loss rows)."""
    Entry.objects.all().delete()
    StateCount.objects.all().delete()
    LossSum.objects.all().delete()
    latest: dict[int, int] = {}
    for application_id, evaluation_id in (
        Evaluation.objects.order_by("application_id", "recorded_at", "id")
        .values_list("application_id", "id")
        .iterator(chunk_size=20_000)
    ):
        latest[application_id] = evaluation_id  # the last one wins
    engines = {c.pk: engine_of(c.edition) for c in Campaign.objects.select_related("edition")}
    rows = list(Application.objects.order_by("pk").values_list("pk", *ENTRY_FIELDS))
    states: Counter[StateKey] = Counter()
    losses: Counter[LossKey] = Counter()
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        wanted = [latest[r[0]] for r in chunk if r[0] in latest and r[7]]
        data = dict(Evaluation.objects.filter(pk__in=wanted).values_list("pk", "data"))
        entries = []
        for pk, campaign, unit, unit_type, path, supervisor, state, grade, centi in chunk:
            entry = Entry(
                application_id=pk,
                campaign_id=campaign,
                unit_id=unit,
                unit_type_id=unit_type,
                region_path=path,
                supervisor_id=supervisor,
                state=state,
                grade=grade,
                result_centi=centi,
            )
            latest_id = latest.get(pk)
            if latest_id is not None and latest_id in data:
                engine = engines[campaign]
                try:
                    card = engine.score(results_from_data(engine, data[latest_id]))
                except FileInvalid:
                    card = None  # an evaluation the engine no longer reads: no points lost
                if card is not None:
                    entry.lost = losses_of(card)
            _contribution(entry, +1, states, losses)
            entries.append(entry)
        Entry.objects.bulk_create(entries)
    StateCount.objects.bulk_create(
        (
            StateCount(campaign_id=c, kind=k, key=key, unit_type_id=t, state=s, grade=g, count=n)
            for (c, k, key, t, s, g), n in states.items()
        ),
        batch_size=5000,
    )
    LossSum.objects.bulk_create(
        (
            LossSum(campaign_id=c, kind=k, key=key, unit_type_id=t, code=code, lost_centi=n)
            for (c, k, key, t, code), n in losses.items()
        ),
        batch_size=5000,
    )
    kept_values_changed()  # the figures kept for the dashboards (kept_until_changed) are out of date
    return len(rows), len(states), len(losses)
