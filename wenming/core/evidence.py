"""Evidence rules and quotas, judged against a unit's recorded activities (台账).

Django-free: the ledger app hands in plain facts about the records linked to an indicator,
and gets back, per rule, complete / incomplete with the reason, or 人工确认 for a rule no
machine can judge (never faked as checked).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from wenming.core.framework import PERIODS, EvidenceRule, Quota

COMPLETE, INCOMPLETE, MANUAL = "complete", "incomplete", "manual"
STATUS_LABELS = {COMPLETE: "完整", INCOMPLETE: "不完整", MANUAL: "待人工确认"}


@dataclass(frozen=True)
class RecordFact:
    """One record, or ``count`` records of the same type and department in the same period
    (callers may aggregate by month; every period here is made of whole months)."""

    day: date
    activity_type: str
    photos: int = 0
    files: int = 0
    department: str = ""
    count: int = 1


@dataclass(frozen=True)
class RuleCheck:
    rule: EvidenceRule
    index: int
    status: str
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def periods(per: str, as_of: date) -> list[tuple[str, date, date]]:
    """The periods of ``as_of``'s year that have begun by ``as_of``: (label, first, last day)."""
    year = as_of.year
    size = {"year": 12, "half": 6, "quarter": 3, "month": 1}[per]
    out = []
    for start_month in range(1, 13, size):
        first = date(year, start_month, 1)
        if first > as_of:
            break
        end_month = start_month + size
        last = date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
        last = date.fromordinal(last.toordinal() - 1)
        index = (start_month - 1) // size + 1
        label = {
            "year": f"{year}年",
            "half": f"{year}年{'上' if index == 1 else '下'}半年",
            "quarter": f"第{index}季度",
            "month": f"{start_month}月",
        }[per]
        out.append((label, first, last))
    return out


def check_rules(
    rules: Sequence[EvidenceRule],
    records: Sequence[RecordFact],
    *,
    explanation: str,
    confirmed: Iterable[int],
    as_of: date,
) -> list[RuleCheck]:
    confirmed = set(confirmed)
    out = []
    for index, rule in enumerate(rules):
        status, reason = _check(rule, records, explanation, index in confirmed, as_of)
        out.append(RuleCheck(rule, index, status, reason))
    return out


def _check(
    rule: EvidenceRule,
    records: Sequence[RecordFact],
    explanation: str,
    confirmed: bool,
    as_of: date,
) -> tuple[str, str]:
    if rule.kind == "manual":
        if confirmed:
            return COMPLETE, f"已人工确认:{rule.text}"
        return MANUAL, f"须人工确认:{rule.text}"
    if rule.kind == "explanation":
        length = len(explanation)
        if length == 0:
            return INCOMPLETE, "缺少说明"
        if rule.max_chars and length > rule.max_chars:
            return INCOMPLETE, f"说明超过{rule.max_chars}字(现有{length}字)"
        return COMPLETE, f"说明{length}字"
    minimum = rule.min or 1
    if rule.kind in ("photos", "files"):
        have = sum(r.photos if rule.kind == "photos" else r.files for r in records)
        noun = "张照片" if rule.kind == "photos" else "个附件"
        if have < minimum:
            return INCOMPLETE, f"至少{minimum}{noun}(现有{have})"
        return COMPLETE, f"{have}{noun}"
    # records, optionally of one type, optionally per period of the as-of year
    relevant = [
        r for r in records if rule.activity_type in (None, r.activity_type) and r.day <= as_of
    ]
    what = f"{rule.activity_type or '记录'}"
    if rule.per is None:
        have = sum(r.count for r in relevant if r.day.year == as_of.year)
        if have < minimum:
            return INCOMPLETE, f"{as_of.year}年{what}至少{minimum}次(现有{have}次)"
        return COMPLETE, f"{as_of.year}年{what}{have}次"
    short = []
    for label, first, last in periods(rule.per, as_of):
        have = sum(r.count for r in relevant if first <= r.day <= last)
        if have < minimum:
            short.append(f"{label}{have}次")
    if short:
        return INCOMPLETE, f"{PERIODS[rule.per]}{what}至少{minimum}次:" + "、".join(short)
    return COMPLETE, f"{PERIODS[rule.per]}{what}均达到{minimum}次"


def overall(checks: Sequence[RuleCheck], *, has_records: bool) -> str:
    """One status for an indicator: incomplete beats manual beats complete."""
    if not checks:
        return COMPLETE if has_records else INCOMPLETE
    statuses = {c.status for c in checks}
    if INCOMPLETE in statuses:
        return INCOMPLETE
    if MANUAL in statuses:
        return MANUAL
    return COMPLETE


@dataclass(frozen=True)
class QuotaRow:
    quota: Quota
    period: str
    department: str
    done: int
    required: int
    current: bool

    @property
    def behind(self) -> int:
        return max(0, self.required - self.done)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.required) if self.required else 100


def quota_progress(
    quota: Quota, records: Sequence[RecordFact], *, departments: Sequence[str], as_of: date
) -> list[QuotaRow]:
    relevant = [r for r in records if r.activity_type == quota.activity_type and r.day <= as_of]
    rows = []
    groups = list(departments) if quota.per_department else [""]
    if quota.per == "day":  # 日阅一文: one row for the year so far, required once a day
        first = date(as_of.year, 1, 1)
        days = as_of.toordinal() - first.toordinal() + 1
        label = f"{as_of.year}年(截至{as_of.month}月{as_of.day}日,共{days}天)"
        for department in groups:
            done = sum(
                r.count
                for r in relevant
                if first <= r.day and (not department or r.department == department)
            )
            rows.append(QuotaRow(quota, label, department, done, quota.min * days, True))
        return rows
    for label, first, last in periods(quota.per, as_of):
        for department in groups:
            done = sum(
                1
                for r in relevant
                if first <= r.day <= last and (not department or r.department == department)
            )
            rows.append(QuotaRow(quota, label, department, done, quota.min, first <= as_of <= last))
    return rows
