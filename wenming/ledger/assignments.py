"""Task decomposition (考核指标任务分解表): every indicator to a department, a person and a
deadline; imported and exported in the offices' layout through the shared import service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.accounts.scope import Scope, scope_for, units_visible_to
from wenming.audit.services import audit_record
from wenming.core.dates import date_of
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import framework_of
from wenming.imports.base import Column, Importer, ImportPlan, PlannedChange, register
from wenming.imports.services import ImportRefused
from wenming.ledger.models import IndicatorAssignment
from wenming.organizations.models import Unit
from wenming.web.params import id_or_none

SHEET = "任务分解"


def overdue(
    qs: QuerySet[IndicatorAssignment], today: date | None = None
) -> QuerySet[IndicatorAssignment]:
    return qs.filter(done_at__isnull=True, deadline__lt=today or timezone.localdate())


def assignments_for_person(user: User) -> QuerySet[IndicatorAssignment]:
    return IndicatorAssignment.objects.filter(user=user).select_related(
        "unit", "edition", "department"
    )


def overdue_for_unit_admin(user: User) -> QuerySet[IndicatorAssignment]:
    units = RoleGrant.objects.filter(user=user, role=Role.UNIT_ADMIN).values("unit_id")
    return overdue(IndicatorAssignment.objects.filter(unit__in=units))


def _people(unit: Unit) -> dict[str, User]:
    """Accounts of the unit, findable by name or user name."""
    users = User.objects.filter(grants__unit=unit).distinct()
    found: dict[str, User] = {}
    for user in users:
        for key in (user.get_full_name(), user.first_name, user.username):
            if key:
                found.setdefault(key, user)
    return found


@transaction.atomic
def assignment_done(*, actor: User, assignment: IndicatorAssignment) -> None:
    scope = scope_for(actor)
    if assignment.user_id != actor.pk and not scope.holds(Role.UNIT_ADMIN, assignment.unit_id):
        raise PermissionError("只有责任人或本单位管理员可以标记完成")
    IndicatorAssignment.objects.filter(pk=assignment.pk, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="assignment.done",
        obj=assignment.unit,
        field=f"{assignment.code} 任务",
        new="已完成",
    )


@register
class AssignmentImporter(Importer):
    kind = "assignments"
    label = "考核指标任务分解表"
    context_keys = ("unit", "edition")
    done_url = "ledger:assignments"
    done_query = ("unit", "edition")
    intro = "每个指标一行,按指标编码对应;已分解的指标按新文件更新责任科室、责任人、完成时限和备注。"
    sheets = {
        SHEET: [
            Column("序号", "number"),
            Column("指标编码", "code", required=True),
            Column("指标名称", "name"),
            Column("分值", "points"),
            Column("责任科室", "department"),
            Column("责任人", "person"),
            Column("完成时限", "deadline"),
            Column("备注", "note"),
        ]
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return bool(scope.own_units) or scope.is_admin

    def check_context(self) -> None:

        unit_id, edition_id = self.context.get("unit", ""), self.context.get("edition", "")
        unit = (
            units_visible_to(self.user).filter(pk=id_or_none(unit_id) or 0).first()
            if self.user
            else None
        )
        if unit is None:
            raise ImportRefused("请从本单位的任务分解页面进入")
        edition = FrameworkEdition.objects.filter(pk=id_or_none(edition_id) or 0).first()
        if edition is None or unit.unit_type.name not in edition.unit_types:
            raise ImportRefused("测评体系不适用于本单位")
        if self.user is not None and not scope_for(self.user).holds(Role.UNIT_ADMIN, unit.pk):
            raise ImportRefused("只有本单位管理员可以分解任务")
        self.unit, self.edition = unit, edition

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        framework = framework_of(self.edition)
        nodes = {n.code: n for n, _, _ in framework.walk()}
        departments = {d.name: d for d in self.unit.departments.all()}
        people = _people(self.unit)
        current = {
            a.code: a
            for a in IndicatorAssignment.objects.filter(
                unit=self.unit, edition=self.edition
            ).select_related("department")
        }
        seen: set[str] = set()
        for row in self.rows(workbook, SHEET, plan.errors):
            code = str(row.values["code"] or "").strip()
            if not code:
                continue
            if code not in nodes:
                plan.errors.append(
                    row.error("code", f"指标编码“{code}”不在“{self.edition.name}”中")
                )
                continue
            if code in seen:
                plan.errors.append(row.error("code", f"指标“{code}”重复"))
                continue
            seen.add(code)
            dept_name = str(row.values.get("department") or "").strip()
            if dept_name and dept_name not in departments:
                plan.errors.append(
                    row.error(
                        "department",
                        f"科室“{dept_name}”不存在,可用:{'、'.join(departments) or '(本单位尚未登记科室)'}",
                    )
                )
                continue
            deadline = date_of(row.values.get("deadline"))
            if row.values.get("deadline") not in (None, "") and deadline is None:
                plan.errors.append(
                    row.error(
                        "deadline", f"完成时限“{row.values['deadline']}”应为日期,如2026-06-30"
                    )
                )
                continue
            person = str(row.values.get("person") or "").strip()[:50]
            note = str(row.values.get("note") or "").strip()[:200]
            before = current.get(code)
            old = (
                before.department.name if before and before.department else "",
                before.person if before else "",
                str(before.deadline or "") if before else "",
                before.note if before else "",
            )
            new = (dept_name, person, str(deadline or ""), note)
            changes = {
                label: (o, n)
                for label, o, n in zip(
                    ("责任科室", "责任人", "完成时限", "备注"), old, new, strict=True
                )
                if o != n
            }
            action = "新增" if before is None else ("更新" if changes else "无变化")
            plan.changes.append(
                PlannedChange(
                    SHEET,
                    row.number,
                    code,
                    nodes[code].name,
                    action,
                    changes,
                    {
                        "department": departments.get(dept_name),
                        "person": person,
                        "user": people.get(person),
                        "deadline": deadline,
                        "note": note,
                    },
                )
            )
        return plan

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        for change in plan.changes:
            if change.action == "无变化":
                continue
            IndicatorAssignment.objects.update_or_create(
                unit=self.unit, edition=self.edition, code=change.key, defaults=change.data
            )
            for field, (old, new) in change.changes.items():
                audit_record(
                    actor=actor,
                    action="assignment.set",
                    obj=self.unit,
                    field=f"{change.key}.{field}",
                    old=old,
                    new=new,
                )

    def export(self, *, scope: Scope) -> bytes:
        framework = framework_of(self.edition)
        current = {
            a.code: a
            for a in IndicatorAssignment.objects.filter(
                unit=self.unit, edition=self.edition
            ).select_related("department")
        }
        wb = new_workbook(write_only=True)
        sheet = wb.create_sheet(SHEET)
        sheet.append([c.header for c in self.sheets[SHEET]])
        for number, node in enumerate(framework.leaves(bonus=False), start=1):
            a = current.get(node.code)
            sheet.append(
                [
                    number,
                    node.code,
                    node.name,
                    float(node.points),
                    a.department.name if a and a.department else node.department or None,
                    a.person if a else None,
                    a.deadline if a and a.deadline else None,
                    a.note if a else None,
                ]
            )
        return workbook_bytes(wb)
