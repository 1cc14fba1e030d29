"""Problems from an inspection team's sheet (督查/巡查问题清单), through the shared import
service: preview, all-or-nothing, errors naming row and column."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.accounts.models import Role
from wenming.accounts.scope import Scope, units_visible_to
from wenming.core.dates import date_of
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.base import Column, Importer, ImportPlan, PlannedChange, register
from wenming.rectification.access import can_supervise, problems_q
from wenming.rectification.models import HAND_SOURCES, Problem, ProblemState, Severity
from wenming.rectification.services import problem_create

SHEET = "问题清单"
SOURCES = {label: value for value, label in HAND_SOURCES}
SEVERITIES = {label: value for value, label in Severity.choices}
EXPORT_LIMIT = 50_000


@register
class ProblemImporter(Importer):
    kind = "problems"
    label = "整改问题清单"
    done_url = "rectification:list"
    intro = "每个问题一行,按统一社会信用代码对应责任单位;每次导入都新增问题,请勿重复导入同一文件。"
    sheets = {
        SHEET: [
            Column("序号", "number"),
            Column("统一社会信用代码", "credit_code", required=True),
            Column("责任单位", "unit_name"),
            Column("问题", "title", required=True),
            Column("问题描述", "description"),
            Column("来源", "source"),
            Column("严重程度", "severity"),
            Column("指标编码", "indicator_code"),
            Column("地点/点位", "location"),
            Column("发现日期", "found_on"),
            Column("整改期限", "deadline"),
        ]
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.has(Role.OFFICE, Role.SUPERVISOR)

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        codes: set[str] = set()
        rows = list(self.rows(workbook, SHEET, plan.errors))
        for row in rows:
            codes.add(str(row.values.get("credit_code") or "").strip().upper())
        assert self.user is not None
        units = {
            u.credit_code: u
            for u in units_visible_to(self.user)
            .filter(credit_code__in=codes)
            .select_related("region")
        }
        today = timezone.localdate()
        for row in rows:
            v = row.values
            code = str(v.get("credit_code") or "").strip().upper()
            title = str(v.get("title") or "").strip()
            if not code or not title:
                continue  # already reported as empty
            unit = units.get(code)
            if unit is None:
                plan.errors.append(
                    row.error("credit_code", f"统一社会信用代码“{code}”不存在或不在您的管辖范围")
                )
                continue
            if not can_supervise(self.user, unit):
                plan.errors.append(row.error("credit_code", f"无权为“{unit.name}”登记问题"))
                continue
            name = str(v.get("unit_name") or "").strip()
            if name and name != unit.name:
                plan.errors.append(
                    row.error("unit_name", f"单位名称“{name}”与信用代码对应的“{unit.name}”不符")
                )
                continue
            source_label = str(v.get("source") or "巡查").strip()
            if source_label not in SOURCES:
                plan.errors.append(
                    row.error("source", f"来源“{source_label}”无效,可用:{'、'.join(SOURCES)}")
                )
                continue
            severity_label = str(v.get("severity") or "一般").strip()
            if severity_label not in SEVERITIES:
                plan.errors.append(
                    row.error(
                        "severity", f"严重程度“{severity_label}”无效,可用:{'、'.join(SEVERITIES)}"
                    )
                )
                continue
            found_on = date_of(v.get("found_on")) if v.get("found_on") not in (None, "") else today
            if found_on is None:
                plan.errors.append(
                    row.error("found_on", f"发现日期“{v['found_on']}”应为日期,如2026-03-15")
                )
                continue
            if found_on > today:
                plan.errors.append(row.error("found_on", "发现日期不能晚于今天"))
                continue
            deadline = None
            if v.get("deadline") not in (None, ""):
                deadline = date_of(v.get("deadline"))
                if deadline is None:
                    plan.errors.append(
                        row.error("deadline", f"整改期限“{v['deadline']}”应为日期,如2026-06-30")
                    )
                    continue
                if deadline < found_on:
                    plan.errors.append(row.error("deadline", "整改期限不能早于发现日期"))
                    continue
            plan.changes.append(
                PlannedChange(
                    SHEET,
                    row.number,
                    unit.name,
                    title[:200],
                    "新增",
                    {"来源": ("", source_label), "整改期限": ("", str(deadline or "按规则"))},
                    {
                        "unit": unit,
                        "title": title,
                        "description": str(v.get("description") or ""),
                        "source": SOURCES[source_label],
                        "severity": SEVERITIES[severity_label],
                        "indicator_code": str(v.get("indicator_code") or ""),
                        "location": str(v.get("location") or ""),
                        "found_on": found_on,
                        "deadline": deadline,
                    },
                )
            )
        return plan

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        for change in plan.changes:
            problem_create(actor=actor, **change.data)

    def export(self, *, scope: Scope) -> bytes:
        assert self.user is not None
        wb = new_workbook(write_only=True)
        sheet = wb.create_sheet(SHEET)
        sheet.append([c.header for c in self.sheets[SHEET]])
        problems = (
            Problem.objects.filter(problems_q(self.user))
            .exclude(state=ProblemState.CLOSED)
            .select_related("unit")
            .order_by("received_on", "id")[:EXPORT_LIMIT]
        )
        for n, p in enumerate(problems, start=1):
            sheet.append(
                [
                    n,
                    p.unit.credit_code,
                    p.unit.name,
                    p.title,
                    p.description or None,
                    p.get_source_display(),
                    p.get_severity_display(),
                    p.indicator_code or None,
                    p.location or None,
                    p.received_on,
                    p.deadline,
                ]
            )
        return workbook_bytes(wb)
