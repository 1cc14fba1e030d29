"""One unit's reconciliation sheet (合议表): the final value of each item, the leader's decisions,
signing and reopening, and recording the signed sheet as the step's evaluation result."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from wenming.assessments.inputs import COUNT_STYLES
from wenming.assessments.models import Entry, EntryKind
from wenming.assessments.scoring import results_data
from wenming.assessments.screen import profile_of
from wenming.audit.services import audit_record
from wenming.campaigns.models import Application, Evaluation
from wenming.campaigns.services import Refused, evaluation_record, score_result
from wenming.core.engine import Scorecard
from wenming.core.points import fmt
from wenming.core.styles import NOT_APPLICABLE, InputError, ScoringStyle
from wenming.frameworks.selectors import engine_of
from wenming.onsite.components import component_of, component_score
from wenming.onsite.errors import NOT_LEADER, OnsiteRefused
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
from wenming.onsite.reconciliation import FIGURE, FLAG, HIGH, LOW, figure, sheets_refresh
from wenming.onsite.selectors import settings_of
from wenming.onsite.transitions import SHEET, sheet_check, sheet_editable, sheet_move


@dataclass
class FinalItem:
    code: str
    figure: int  # the rule's figure, hundredths
    value: str  # the value recorded (a value of the item's style)
    decided: bool
    flagged: bool
    pending: bool  # the leader must decide (rule 组长裁定, experts differ)
    compared: str = ""  # what was reconciled when not the points: 实测值, 处数, 项数
    spread: str = ""  # the experts' range of it, e.g. "25–28%" or "缺项0–2"


MEASURED_STYLES = ("tiered",)
# experts' measured values this many times apart are flagged however close their points are
# (one measured a rate in percent, another as a share; one counted a different population)
FAR_APART = 3


def _reconciled(
    style: ScoringStyle, rule: str, values: list[Any]
) -> tuple[Any, str, str, bool, bool] | None:
    """A tiered item's measured values, or a findings or awards item's counts per kind, taken
    together by the campaign's rule (in integers, half-up) before the item is scored.

    Returns (value of the style, what was compared, the experts' range, whether they differ,
    whether measured values lie FAR_APART times apart), or None when an expert entered 不适用
    (the item then goes by its points as before).
    """
    if any(v is NOT_APPLICABLE for v in values) or not values:
        return None
    if style.key in MEASURED_STYLES:
        ordered = sorted(values)
        value = figure(rule, len(ordered), sum(ordered), ordered[0], ordered[-1], ordered)
        unit = getattr(getattr(style, "p", None), "unit", "")
        low, high = style.render(ordered[0]), style.render(ordered[-1])
        spread = f"{low}{unit}" if low == high else f"{low}–{high}{unit}"
        far = ordered[-1] > 0 and ordered[-1] >= FAR_APART * ordered[0]
        return value, "实测值", spread, ordered[0] != ordered[-1], far
    if style.key in COUNT_STYLES:
        names: tuple[str, ...] = getattr(style, "names", ())
        counts, ranges = [], []
        for position, name in enumerate(names):
            ordered = sorted(v[position] for v in values)
            counts.append(
                figure(rule, len(ordered), sum(ordered), ordered[0], ordered[-1], ordered)
            )
            if ordered[-1]:
                span = ordered[0] if ordered[0] == ordered[-1] else f"{ordered[0]}–{ordered[-1]}"
                ranges.append(f"{name}{span}")
        compared = "处数" if style.key == "findings" else "项数"
        return tuple(counts), compared, "、".join(ranges) or "无", len(set(values)) > 1, False
    return None


def final_items(
    application: Application, rules: OnsiteSettings, sheet: Sheet
) -> dict[str, FinalItem]:
    """Each scored item's value for the result: the leader's decision, or the rule's figure as
    a value of the item's style (直接赋分 takes the figure itself; a tiered item takes the rule
    applied to the measured values, a findings or awards item the rule applied to each count,
    then scored; other styles take the experts' entry closest to the figure, the lower on a
    tie)."""
    engine = engine_of(application.campaign.edition)
    decisions = {d.code: d for d in Decision.objects.filter(application=application)}
    entries: dict[str, list[tuple[int, str]]] = {}
    for code, centi, value in Score.objects.filter(application=application).values_list(
        "code", "score_centi", "value"
    ):
        entries.setdefault(code, []).append((centi, value))
    profile = profile_of(application.assessment)
    out = {}
    components = {c.code for c in engine.framework.components}
    for code, row in sheet.items.items():
        decision = decisions.get(code)
        style = engine.styles.get(code)
        if style is None:
            if code in components:  # a separately scored component: its score, like 直接赋分
                value = decision.value if decision is not None else fmt(row[FIGURE])
                pending = decision is None and rules.rule == Rule.LEADER and row[LOW] != row[HIGH]
                out[code] = FinalItem(
                    code, row[FIGURE], value, decision is not None, bool(row[FLAG]), pending
                )
            continue
        together = None
        if style.key in MEASURED_STYLES or style.key in COUNT_STYLES:
            try:
                parsed = [engine.parse_item(code, v).value for _, v in entries.get(code, [])]
            except InputError:
                parsed = []
            together = _reconciled(style, str(rules.rule), parsed)
        flagged = bool(row[FLAG]) or (together is not None and together[4])
        if decision is not None:
            final = FinalItem(code, row[FIGURE], decision.value, True, flagged, False)
            if together is not None:
                final.compared, final.spread = together[1], together[2]
            out[code] = final
            continue
        if together is not None:
            value, compared, spread, differ, _ = together
            pending = rules.rule == Rule.LEADER and differ
            out[code] = FinalItem(
                code,
                style.score(value, profile),
                str(style.render(value)),
                False,
                flagged,
                pending,
                compared,
                spread,
            )
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
    components = {c.code for c in engine_of(application.campaign.edition).framework.components}
    entries = [
        Entry(
            kind=EntryKind.COMPONENT if code in components else EntryKind.ITEM,
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
    sheet_editable(sheet)
    if not reason.strip():
        raise OnsiteRefused("组长裁定必须填写理由")
    engine = engine_of(application.campaign.edition)
    component = component_of(engine, code)
    if component is not None:
        value = fmt(component_score(component, value))
    else:
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
    sheet_check(sheet, "sign")
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
    unscored = [c.name for c in card.engine.framework.components if c.code not in finals]
    if unscored:
        raise OnsiteRefused(f"分项“{'、'.join(unscored)}”还没有专家评分")
    signature = SheetSignature.objects.create(
        sheet=sheet,
        signer=actor,
        digest=digest_of(data),
        reason=reason.strip()[:500],
        content=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
    sheet_move(sheet, "sign")
    audit_record(
        actor=actor,
        action=SHEET["sign"].audit_name,
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
    sheet_check(sheet, "reopen")
    if not reason.strip():
        raise OnsiteRefused("重新打开已签署的合议表须填写理由")
    sheet_move(sheet, "reopen")
    audit_record(
        actor=actor,
        action=SHEET["reopen"].audit_name,
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
