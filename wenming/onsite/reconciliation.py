"""Reconciliation (合议): every expert's score per item → one figure per item by the campaign's
rule, with spread and expert-bias flags (one unit's sheet, decisions and signing: ``sheets``).

The campaign-wide run is set-based: one GROUP BY over the scores gives every item's count, sum,
lowest and highest (mean and trimmed mean follow from those; the median reads the scores once,
ordered), and one more aggregate writes each expert's deviation sums per unit (``DeviationSum``).
No query is made per unit, so 2,000 units × 5 experts × 150 items reconcile in seconds
(``bench/reconcile.py``).

An expert's deviation over the campaign is read from those sums, never from the scores: a synced
batch rewrites the sums of the units it touched only (an item's mean moves with that unit's
scores alone), and the office's page adds a few rows per expert.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from wenming.campaigns.models import Campaign
from wenming.onsite.models import (
    DeviationSum,
    OnsiteSettings,
    Rule,
    Score,
    Sheet,
    SheetState,
)
from wenming.onsite.selectors import settings_of

FIGURE, COUNT, LOW, HIGH, FLAG = range(5)


def _round(numerator: int, denominator: int) -> int:
    """numerator / denominator (both ≥ 0) rounded half-up to a whole hundredth, in integers."""
    if denominator <= 0:
        return 0
    return (2 * numerator + denominator) // (2 * denominator)


def figure(rule: str, n: int, total: int, low: int, high: int, ordered: list[int] | None) -> int:
    """The rule's figure for one item from its experts' scores (hundredths of a point)."""
    if rule == Rule.MEDIAN and ordered:
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return _round(ordered[middle - 1] + ordered[middle], 2)
    if rule == Rule.TRIMMED and n >= 3:
        return _round(total - low - high, n - 2)
    return _round(total, n)  # mean; also the provisional figure before a leader's decision


@dataclass
class ExpertDeviation:
    """How far an expert's scores sit from their teams' item means, as % of the item's points."""

    expert_id: int
    n: int
    mean: float
    z: float
    flagged: bool


@dataclass
class ReconcileReport:
    sheets: int
    items: int
    flagged_items: int
    experts: list[ExpertDeviation]


def _ordered_scores(campaign_id: int, only: list[int] | None) -> dict[tuple[int, str], list[int]]:
    """Every item's scores in order, read once in index order (the median rule only)."""
    out: dict[tuple[int, str], list[int]] = {}
    for application_id, code, centi in _rows(
        "SELECT application_id, code, score_centi FROM {table} WHERE {where}"
        " ORDER BY application_id, code, score_centi",
        campaign_id,
        only,
    ):
        out.setdefault((application_id, code), []).append(centi)
    return out


def _rows(sql: str, campaign_id: int, only: list[int] | None) -> list[tuple[Any, ...]]:
    where = "campaign_id = %s"
    params: list[Any] = [campaign_id]
    if only is not None:
        where += f" AND application_id IN ({', '.join(['%s'] * len(only))})"
        params += only
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=Score._meta.db_table, where=where), params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def reconcile(
    campaign: Campaign, *, application_ids: Iterable[int] | None = None
) -> ReconcileReport:
    """Reconcile the campaign (or some of its applications); signed sheets are left as signed."""
    rules = settings_of(campaign)
    only = list(application_ids) if application_ids is not None else None
    sheets_refresh(campaign, application_ids=only, rules=rules)
    sheets, items, flagged = _sheet_counts(campaign.pk, only)
    return ReconcileReport(
        sheets=sheets,
        items=items,
        flagged_items=flagged,
        experts=expert_deviations(campaign, rules),
    )


def sheets_refresh(
    campaign: Campaign,
    *,
    application_ids: Iterable[int] | None = None,
    rules: OnsiteSettings | None = None,
) -> None:
    """Write the open sheets' figures from the scores (creating missing sheets): what
    ``reconcile`` does without the report, cheap enough to run whenever a score changes."""
    rules = rules or settings_of(campaign)
    only = list(application_ids) if application_ids is not None else None
    rule = str(rules.rule)
    # the figure by the rule, in integer hundredths rounded half-up, computed by the database
    # (the median as an ordered-set aggregate on PostgreSQL; read in order on SQLite)
    mean = "(2 * SUM(score_centi) + COUNT(*)) / (2 * COUNT(*))"
    postgres = connection.vendor == "postgresql"
    if rule == Rule.TRIMMED:
        value = (
            "CASE WHEN COUNT(*) >= 3 THEN (2 * (SUM(score_centi) - MIN(score_centi)"
            f" - MAX(score_centi)) + COUNT(*) - 2) / (2 * (COUNT(*) - 2)) ELSE {mean} END"
        )
    elif rule == Rule.MEDIAN and postgres:
        value = (
            "CAST(FLOOR(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY score_centi) + 0.5) AS INTEGER)"
        )
    else:
        value = mean
    item_sql = (
        f"SELECT application_id, code, {value} AS figure, COUNT(*) AS n, MIN(score_centi) AS lo,"
        " MAX(score_centi) AS hi, CASE WHEN (MAX(score_centi) - MIN(score_centi)) * 100"
        f" > MAX(points_centi) * {int(rules.spread_percent)} THEN 1 ELSE 0 END AS flag"
        " FROM {table} WHERE {where} GROUP BY application_id, code"
    )
    now = timezone.now()
    with transaction.atomic():
        _sheets_create(campaign.pk, only, now)
        _sheets_lock(campaign.pk, only)
        if rule == Rule.MEDIAN and not postgres:
            _sheets_fill_in_python(campaign.pk, only, item_sql, now)
        else:
            _sheets_fill(campaign.pk, only, item_sql, now)
        _deviations_fill(campaign.pk, only)


def _where(
    campaign_id: int, only: list[int] | None, column: str = "campaign_id"
) -> tuple[str, list[Any]]:
    where = f"{column} = %s"
    params: list[Any] = [campaign_id]
    if only is not None:
        where += f" AND application_id IN ({', '.join(['%s'] * len(only))})"
        params += only
    return where, params


def _sheets_create(campaign_id: int, only: list[int] | None, now: Any) -> None:
    """A sheet for every application with scores that has none yet (one INSERT … SELECT)."""
    where, params = _where(campaign_id, only)
    sheets = Sheet._meta.db_table
    empty = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sheets} (application_id, campaign_id, state, items, item_count,"
            " flagged_count, reconciled_at, version)"
            f" SELECT DISTINCT application_id, campaign_id, %s, {empty}, 0, 0, %s, 1"
            f" FROM {Score._meta.db_table} WHERE {where} AND application_id NOT IN"
            f" (SELECT application_id FROM {sheets} WHERE campaign_id = %s)",
            [SheetState.OPEN.value, now, *params, campaign_id],
        )


def _sheets_lock(campaign_id: int, only: list[int] | None) -> None:
    """Take the refreshed sheets' row locks, in one order, before reading the scores.

    Two phones of one team finish their batches at once: without the lock each refresh reads
    the scores as of its own start and the later writer may store the older figures (or both
    insert the unit's deviation sums). With it the second waits, then reads the scores the
    first one saw and its own (PostgreSQL's read committed takes a new snapshot per statement).
    SQLite writes one transaction at a time and needs no lock."""
    if connection.vendor != "postgresql":
        return
    where, params = _where(campaign_id, only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Sheet._meta.db_table} WHERE {where} ORDER BY application_id"
            " FOR UPDATE",
            params,
        )


def _deviations_fill(campaign_id: int, only: list[int] | None) -> None:
    """Rewrite the units' deviation sums from their scores: one window over the units' scores
    (each item's mean) grouped by unit and expert, in floating point (exact decimals would
    triple the time of a campaign-wide run)."""
    where, params = _where(campaign_id, only)
    sums = DeviationSum._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {sums} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {sums} (campaign_id, application_id, expert_id, n, total, squares)"
            " SELECT campaign_id, application_id, expert_id, COUNT(*), SUM(d), SUM(d * d) FROM ("
            " SELECT campaign_id, application_id, expert_id, (CAST(score_centi AS DOUBLE PRECISION)"
            " - AVG(CAST(score_centi AS DOUBLE PRECISION)) OVER (PARTITION BY application_id, code))"
            " * 100.0 / points_centi AS d"
            f" FROM {Score._meta.db_table} WHERE {where} AND points_centi > 0) deviations"
            " GROUP BY campaign_id, application_id, expert_id",
            params,
        )


def _sheets_fill(campaign_id: int, only: list[int] | None, item_sql: str, now: Any) -> None:
    """Every open sheet's items from the item figures, aggregated to JSON by the database and
    written by one UPDATE … FROM: no row of the 300,000 item figures passes through Python."""
    where, params = _where(campaign_id, only)
    if connection.vendor == "postgresql":
        items = "json_object_agg(code, json_build_array(figure, n, lo, hi, flag))::jsonb"
    else:
        items = "json_group_object(code, json_array(figure, n, lo, hi, flag))"
    sheets = Sheet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {sheets} SET items = x.items, item_count = x.n, flagged_count = x.flagged,"
            f" reconciled_at = %s, version = {sheets}.version + 1"
            f" FROM (SELECT application_id, {items} AS items, COUNT(*) AS n,"
            f" SUM(flag) AS flagged FROM ("
            + item_sql.format(table=Score._meta.db_table, where=where)
            + f") figures GROUP BY application_id) x"
            f" WHERE {sheets}.application_id = x.application_id AND {sheets}.state = %s",
            [now, *params, SheetState.OPEN.value],
        )


def _sheets_fill_in_python(
    campaign_id: int, only: list[int] | None, item_sql: str, now: Any
) -> None:
    """The same for the median on SQLite, which has no ordered-set aggregate: the scores are
    read once in order and the figures written by one batch of UPDATEs."""
    ordered = _ordered_scores(campaign_id, only)
    per_sheet: dict[int, dict[str, list[Any]]] = {}
    for a, c, _, n, low, high, flag in _rows(item_sql, campaign_id, only):
        per_sheet.setdefault(a, {})[c] = [
            figure(Rule.MEDIAN, n, 0, low, high, ordered[(a, c)]),
            n,
            low,
            high,
            flag,
        ]
    sheets = Sheet._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {sheets} SET items = %s, item_count = %s, flagged_count = %s,"
            " reconciled_at = %s, version = version + 1 WHERE application_id = %s AND state = %s",
            [
                (
                    json.dumps(items, separators=(",", ":")),
                    len(items),
                    sum(i[FLAG] for i in items.values()),
                    now,
                    a,
                    SheetState.OPEN.value,
                )
                for a, items in per_sheet.items()
            ],
        )


def _sheet_counts(campaign_id: int, only: list[int] | None) -> tuple[int, int, int]:
    where, params = _where(campaign_id, only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(item_count), SUM(flagged_count) FROM {Sheet._meta.db_table}"
            f" WHERE {where}",
            params,
        )
        sheets, items, flagged = cursor.fetchone()
    return int(sheets or 0), int(items or 0), int(flagged or 0)


def expert_deviations(
    campaign: Campaign, rules: OnsiteSettings, *, experts: Iterable[int] | None = None
) -> list[ExpertDeviation]:
    """Each expert's mean deviation from the item means (in % of the item's points) over all
    their scores in the campaign, with its z-score (mean ÷ standard error); ``experts`` limits
    the answer to those users. Added up from the per-unit sums, a few rows per expert."""
    where = "campaign_id = %s"
    params: list[Any] = [campaign.pk]
    if experts is not None:
        wanted = sorted(set(experts))
        if not wanted:
            return []
        where += f" AND expert_id IN ({', '.join(['%s'] * len(wanted))})"
        params += wanted
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expert_id, SUM(n), SUM(total), SUM(squares)"
            f" FROM {DeviationSum._meta.db_table} WHERE {where}"
            " GROUP BY expert_id ORDER BY expert_id",
            params,
        )
        rows = cursor.fetchall()
    out = []
    z_limit, bias_limit = float(rules.z_threshold), float(rules.bias_percent)
    for expert_id, n, total, squares in rows:
        n, total, squares = int(n), float(total or 0), float(squares or 0)
        mean = total / n if n else 0.0
        variance = (squares - n * mean * mean) / (n - 1) if n > 1 else 0.0
        error = math.sqrt(max(variance, 0.0) / n) if n else 0.0
        z = mean / error if error > 1e-9 else 0.0
        out.append(
            ExpertDeviation(
                expert_id=expert_id,
                n=n,
                mean=round(mean, 2),
                z=round(z, 2),
                flagged=abs(z) >= z_limit and abs(mean) >= bias_limit,
            )
        )
    return out
