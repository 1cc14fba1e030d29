"""Reconciliation (合议): every expert's score per item → one figure per item by the campaign's
rule, spread and expert-bias flags, the leader's decisions, signing and recording the result.

The campaign-wide run is set-based: one GROUP BY over the scores gives every item's count, sum,
lowest and highest (mean and trimmed mean follow from those; the median reads the scores once,
ordered), and one more aggregate gives each expert's deviation from the item means. No query is
made per unit, so 2,000 units × 5 experts × 150 items reconcile in seconds (``bench/reconcile.py``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from wenming.assessments.models import Entry, EntryKind
from wenming.assessments.scoring import results_data
from wenming.audit.services import audit_record
from wenming.campaigns.models import Application, Campaign, Evaluation
from wenming.campaigns.services import Refused, evaluation_record, score_result
from wenming.core.engine import Scorecard
from wenming.core.styles import InputError
from wenming.frameworks.selectors import engine_of
from wenming.onsite.errors import NOT_LEADER, SIGNED, OnsiteRefused
from wenming.onsite.models import (
    Assignment,
    Decision,
    OnsiteSettings,
    Rule,
    Score,
    Sheet,
    SheetSignature,
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
        return cursor.fetchall()


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
        if rule == Rule.MEDIAN and not postgres:
            _sheets_fill_in_python(campaign.pk, only, item_sql, now)
        else:
            _sheets_fill(campaign.pk, only, item_sql, now)


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


def expert_deviations(campaign: Campaign, rules: OnsiteSettings) -> list[ExpertDeviation]:
    """Each expert's mean deviation from the item means (in % of the item's points) over all
    their scores, with its z-score (mean ÷ standard error): one scan, the item means taken by
    a window over the index order, in floating point (exact decimals would triple the time)."""
    rows = _rows(
        "SELECT expert_id, COUNT(*), SUM(d), SUM(d * d) FROM ("
        " SELECT expert_id, (CAST(score_centi AS DOUBLE PRECISION)"
        " - AVG(CAST(score_centi AS DOUBLE PRECISION)) OVER (PARTITION BY application_id, code))"
        " * 100.0 / points_centi AS d"
        " FROM {table} WHERE {where} AND points_centi > 0) deviations"
        " GROUP BY expert_id ORDER BY expert_id",
        campaign.pk,
        None,
    )
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


# -- one sheet --------------------------------------------------------------------------------


@dataclass
class FinalItem:
    code: str
    figure: int  # the rule's figure, hundredths
    value: str  # the value recorded (a value of the item's style)
    decided: bool
    flagged: bool
    pending: bool  # the leader must decide (rule 组长裁定, experts differ)


def final_items(
    application: Application, rules: OnsiteSettings, sheet: Sheet
) -> dict[str, FinalItem]:
    """Each scored item's value for the result: the leader's decision, or the rule's figure as
    a value of the item's style (直接赋分 takes the figure itself; other styles take the
    experts' entry closest to the figure, the lower on a tie)."""
    engine = engine_of(application.campaign.edition)
    decisions = {d.code: d for d in Decision.objects.filter(application=application)}
    entries: dict[str, list[tuple[int, str]]] = {}
    for code, centi, value in Score.objects.filter(application=application).values_list(
        "code", "score_centi", "value"
    ):
        entries.setdefault(code, []).append((centi, value))
    out = {}
    for code, row in sheet.items.items():
        decision = decisions.get(code)
        style = engine.styles.get(code)
        if style is None:
            continue
        if decision is not None:
            out[code] = FinalItem(code, row[FIGURE], decision.value, True, row[FLAG], False)
            continue
        if style.key == "direct":
            value = str(style.render(row[FIGURE]))
        else:
            candidates = sorted(entries.get(code, []))
            value = min(candidates, key=lambda c: (abs(c[0] - row[FIGURE]), c[0]))[1]
        pending = rules.rule == Rule.LEADER and row[LOW] != row[HIGH]
        out[code] = FinalItem(code, row[FIGURE], value, False, row[FLAG], pending)
    return out


def sheet_data(
    application: Application, finals: dict[str, FinalItem], *, as_of: date
) -> dict[str, Any]:
    """The results-format data of the reconciled sheet, built like the self-assessment's."""
    reasons: dict[str, list[str]] = {}
    for code, reason in (
        Score.objects.filter(application=application)
        .exclude(reason="")
        .values_list("code", "reason")
    ):
        reasons.setdefault(code, []).append(reason)
    decisions = dict(Decision.objects.filter(application=application).values_list("code", "reason"))
    entries = [
        Entry(
            kind=EntryKind.ITEM,
            code=code,
            value=item.value,
            reason=(decisions.get(code) or ";".join(dict.fromkeys(reasons.get(code, []))))[:500],
        )
        for code, item in finals.items()
    ]
    data = results_data(application.assessment, entries)
    data["as_of"] = as_of
    return data


def sheet_scorecard(
    application: Application, data: dict[str, Any]
) -> tuple[Scorecard | None, list[str]]:
    return score_result(application, data)


def _sheet(application: Application) -> Sheet:
    sheet = Sheet.objects.select_for_update().filter(application=application).first()
    if sheet is None:
        sheets_refresh(application.campaign, application_ids=[application.pk])
        sheet = Sheet.objects.select_for_update().filter(application=application).first()
    if sheet is None:
        raise OnsiteRefused("该单位还没有专家评分")
    return sheet


def _leader(actor: User, application: Application) -> Assignment:
    assignment = (
        Assignment.objects.select_related("team__leader").filter(application=application).first()
    )
    if assignment is None or assignment.team.leader.user_id != actor.pk:
        raise OnsiteRefused(NOT_LEADER)
    return assignment


@transaction.atomic
def decision_set(
    *, actor: User, application: Application, code: str, value: str, reason: str
) -> Decision:
    """The leader decides one item's value, with a mandatory reason."""
    _leader(actor, application)
    sheet = _sheet(application)
    if sheet.state == SheetState.SIGNED:
        raise OnsiteRefused(SIGNED)
    if not reason.strip():
        raise OnsiteRefused("组长裁定必须填写理由")
    engine = engine_of(application.campaign.edition)
    try:
        engine.parse_item(code, value.strip())
    except InputError as exc:
        raise OnsiteRefused(f"{code}:{exc}") from None
    old = Decision.objects.filter(application=application, code=code).first()
    decision, _ = Decision.objects.update_or_create(
        application=application,
        code=code,
        defaults={"value": value.strip(), "reason": reason.strip()[:500], "decided_by": actor},
    )
    audit_record(
        actor=actor,
        action="onsite.decide",
        obj=sheet,
        field=code,
        old=f"{old.value} {old.reason}" if old else "",
        new=f"{decision.value} {decision.reason}",
    )
    return decision


def digest_of(data: dict[str, Any]) -> str:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def sheet_sign(*, actor: User, application: Application, reason: str = "") -> SheetSignature:
    """The leader signs the final sheet, which locks it; signing again after a reopening needs
    the reason for the change."""
    _leader(actor, application)
    sheets_refresh(application.campaign, application_ids=[application.pk])
    sheet = _sheet(application)
    if sheet.state == SheetState.SIGNED:
        raise OnsiteRefused("合议表已签署")
    resigning = sheet.signatures.exists()
    if resigning and not reason.strip():
        raise OnsiteRefused("合议表签署后又作修改,重新签署须填写变更理由")
    rules = settings_of(application.campaign)
    finals = final_items(application, rules, sheet)
    pending = [c for c, f in finals.items() if f.pending]
    if pending:
        raise OnsiteRefused(
            f"还有{len(pending)}项专家评分不一致,须组长裁定(如{'、'.join(pending[:5])})"
        )
    data = sheet_data(application, finals, as_of=timezone.localdate())
    card, problems = score_result(application, data)
    if card is None:
        raise OnsiteRefused("合议结果有误:" + ";".join(problems))
    if card.missing:
        raise OnsiteRefused(f"还有{len(card.missing)}项未评分(如{'、'.join(card.missing[:5])})")
    signature = SheetSignature.objects.create(
        sheet=sheet,
        signer=actor,
        digest=digest_of(data),
        reason=reason.strip()[:500],
        content=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
    sheet.state = SheetState.SIGNED
    sheet.version += 1
    sheet.save(update_fields=["state", "version"])
    audit_record(
        actor=actor,
        action="onsite.sign",
        obj=sheet,
        field="合议表",
        new=f"{card.total / 100:g} {card.grade} {signature.digest[:12]}",
        comment=reason.strip(),
    )
    return signature


@transaction.atomic
def sheet_reopen(*, actor: User, application: Application, reason: str) -> Sheet:
    """Unlock a signed sheet for a change; the reason is recorded and a new signature follows."""
    _leader(actor, application)
    sheet = _sheet(application)
    if sheet.state != SheetState.SIGNED:
        raise OnsiteRefused("合议表尚未签署")
    if not reason.strip():
        raise OnsiteRefused("重新打开已签署的合议表须填写理由")
    sheet.state = SheetState.OPEN
    sheet.version += 1
    sheet.save(update_fields=["state", "version"])
    audit_record(
        actor=actor,
        action="onsite.reopen",
        obj=sheet,
        old="已签署",
        new="合议中",
        comment=reason.strip(),
    )
    return sheet


def sheet_record(*, actor: User, application: Application) -> Evaluation:
    """Record the signed sheet as the campaign's evaluation result (the office's step)."""
    sheet = Sheet.objects.filter(application=application).first()
    if sheet is None or sheet.state != SheetState.SIGNED:
        raise OnsiteRefused("合议表须经组长签署后才能录入测评结果")
    signature = sheet.signatures.first()
    assert signature is not None
    try:
        return evaluation_record(
            actor=actor, application=application, data=signature.content, source="onsite"
        )
    except Refused as exc:
        raise OnsiteRefused(str(exc)) from None
