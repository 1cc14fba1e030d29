"""Reads of the ledger: evidence status per indicator, quota progress, lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, DateField, Sum
from django.db.models.functions import TruncMonth
from django.db.models.sql.compiler import SQLCompiler

from wenming.core.evidence import (
    COMPLETE,
    STATUS_LABELS,
    QuotaRow,
    RecordFact,
    RuleCheck,
    check_rules,
    overall,
    quota_progress,
)
from wenming.core.framework import Indicator
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import framework_of
from wenming.ledger.models import (
    Activity,
    ActivityIndicator,
    EvidenceConfirmation,
    IndicatorExplanation,
)
from wenming.organizations.models import Unit


class MonthStart(TruncMonth):
    """The first day of a date's month. On SQLite as ``strftime`` in the database: Django's
    TruncMonth there calls back into Python once a row, which is most of the completeness
    view's time at thousands of records."""

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.lhs)
        return f"strftime('%%Y-%%m-01', {sql})", list(params)


@dataclass
class EvidenceRow:
    node: Indicator
    depth: int
    records: int
    checks: list[RuleCheck]
    status: str
    explanation: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _facts(unit: Unit, edition: FrameworkEdition, as_of: date) -> dict[str, list[RecordFact]]:
    """Linked records per indicator, aggregated in the database by month, type and department
    (rules count per whole-month periods), so the work is a GROUP BY, not one object a record."""
    rows = (
        ActivityIndicator.objects.filter(unit=unit, edition=edition, activity__day__lte=as_of)
        .annotate(month=MonthStart("activity__day", output_field=DateField()))
        .values("code", "month", "activity__activity_type__name", "activity__department__name")
        .annotate(
            n=Count("id"), photos=Sum("activity__photo_count"), files=Sum("activity__file_count")
        )
        .values_list(
            "code",
            "month",
            "activity__activity_type__name",
            "n",
            "photos",
            "files",
            "activity__department__name",
        )
        .order_by()
    )
    facts: dict[str, list[RecordFact]] = defaultdict(list)
    for code, month, kind, n, photos, files, department in rows:
        facts[code].append(RecordFact(month, kind, photos or 0, files or 0, department or "", n))
    return facts


def evidence_status(*, unit: Unit, edition: FrameworkEdition, as_of: date) -> list[EvidenceRow]:
    """Every node of the framework with its records and its rules judged (three queries)."""
    framework = framework_of(edition)
    facts = _facts(unit, edition, as_of)
    explanations = dict(
        IndicatorExplanation.objects.filter(unit=unit, edition=edition).values_list("code", "text")
    )
    confirmed: dict[str, set[int]] = defaultdict(set)
    for code, index in EvidenceConfirmation.objects.filter(unit=unit, edition=edition).values_list(
        "code", "rule_index"
    ):
        confirmed[code].add(index)
    rows = []
    for node, _, depth in framework.walk():
        records = facts.get(node.code, [])
        checks = check_rules(
            node.evidence_rules,
            records,
            explanation=explanations.get(node.code, ""),
            confirmed=confirmed.get(node.code, set()),
            as_of=as_of,
        )
        status = overall(checks, has_records=bool(records)) if node.is_leaf or checks else COMPLETE
        rows.append(
            EvidenceRow(node, depth, len(records), checks, status, explanations.get(node.code, ""))
        )
    return rows


def open_evidence(
    *, unit: Unit, edition: FrameworkEdition, as_of: date
) -> dict[str, tuple[str, str]]:
    """Leaf code → (status, what is open) for every leaf not complete: ``incomplete``, or
    ``manual`` when all that is open is a check only a person can make (待人工确认)."""
    out = {}
    for row in evidence_status(unit=unit, edition=edition, as_of=as_of):
        if row.node.is_leaf and row.status != COMPLETE:
            reasons = [c.reason for c in row.checks if c.status != COMPLETE] or [
                "没有关联的台账记录"
            ]
            out[row.node.code] = (row.status, ";".join(reasons))
    return out


def missing_evidence(*, unit: Unit, edition: FrameworkEdition, as_of: date) -> dict[str, str]:
    """Leaf code → what is missing, for the self-assessment screen's warnings."""
    return {
        code: reasons
        for code, (_, reasons) in open_evidence(unit=unit, edition=edition, as_of=as_of).items()
    }


def quota_status(*, unit: Unit, edition: FrameworkEdition, as_of: date) -> list[QuotaRow]:
    framework = framework_of(edition)
    if not framework.quotas:
        return []
    kinds = {q.activity_type for q in framework.quotas}
    records = [
        RecordFact(day, kind, department=department or "")
        for day, kind, department in Activity.objects.filter(
            unit=unit, activity_type__name__in=kinds, day__year=as_of.year
        ).values_list("day", "activity_type__name", "department__name")
    ]
    departments = list(unit.departments.values_list("name", flat=True))
    rows: list[QuotaRow] = []
    for quota in framework.quotas:
        rows += quota_progress(quota, records, departments=departments, as_of=as_of)
    return rows


@dataclass(frozen=True)
class PickLeaf:
    key: str  # "<edition id>:<code>", the value the record form sends
    node: Indicator


@dataclass(frozen=True)
class PickGroup:
    node: Indicator  # a first-level indicator
    chosen: int


@dataclass(frozen=True)
class PickEdition:
    name: str
    chosen: int


def indicator_choices(
    editions: list[FrameworkEdition], selected: set[str]
) -> list[tuple[PickEdition, list[tuple[PickGroup, list[PickLeaf]]]]]:
    """The indicators a ledger record may be linked to, grouped by framework and first-level
    indicator (the record form folds each group, so a phone shows one group at a time)."""
    out = []
    for edition in editions:
        groups = []
        for top in framework_of(edition).indicators:
            stack, leaves = [top], []
            while stack:
                node = stack.pop()
                if node.is_leaf:
                    leaves.append(PickLeaf(f"{edition.pk}:{node.code}", node))
                stack.extend(reversed(node.children))
            chosen = sum(1 for leaf in leaves if leaf.key in selected)
            groups.append((PickGroup(top, chosen), leaves))
        out.append((PickEdition(edition.name, sum(g.chosen for g, _ in groups)), groups))
    return out
