"""A questionnaire as offices keep it: one row per question (.xlsx), through the shared
import-with-preview. Importing replaces the questions of a draft version, all or nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from wenming.accounts.scope import Scope
from wenming.audit.services import audit_record
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.frameworks.selectors import engine_of
from wenming.imports.base import CellError, Column, Importer, ImportPlan, PlannedChange, register
from wenming.imports.services import ImportRefused
from wenming.surveys.access import questionnaires_visible_to, runs_questionnaire
from wenming.surveys.models import CHOICE_KINDS, Mapping, Question, Section, Version, VersionState
from wenming.surveys.rules import (
    KIND_BY_LABEL,
    LABEL_BY_KIND,
    MAX_QUESTIONS,
    QuestionSpec,
    check_question,
    parse_weights,
    split_list,
    weights_text,
)
from wenming.web.params import id_or_none

SHEET = "问卷题目"
YES = {"是", "必答", "Y", "y", "1", "TRUE", "True", "true"}
NO = {"否", "选答", "N", "n", "0", "FALSE", "False", "false"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def versions_visible_to(user: User) -> QuerySet[Version]:
    return Version.objects.filter(questionnaire__in=questionnaires_visible_to(user))


@register
class QuestionImporter(Importer):
    kind = "survey-questions"
    label = "问卷题目"
    context_keys = ("version",)
    done_url = "surveys:list"
    intro = (
        "每题一行,按顺序排列;导入后替换本版本(编辑中)的全部题目和指标对应。题型:单选、多选、"
        "满意度、评分、数字、简答;选项用“|”或“、”分隔;计分规则如“满意=1、基本满意=0.8、不满意=0”"
        "(满意度、评分题可不填,按默认规则);显示条件填前面某题的题号和选项;计入指标填测评体系"
        "末级指标编码。"
    )
    sheets = {
        SHEET: [
            Column("部分", "section"),
            Column("题号", "key", required=True),
            Column("题目", "text", required=True),
            Column("题型", "kind", required=True),
            Column("选项", "options"),
            Column("计分规则", "weights"),
            Column("必答", "required"),
            Column("显示条件题号", "show_if_key"),
            Column("显示条件选项", "show_if_values"),
            Column("计入指标", "code"),
        ]
    }

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return bool(scope.offices) or scope.is_admin

    def check_context(self) -> None:
        version = None
        if self.user is not None:
            version = (
                versions_visible_to(self.user)
                .select_related("questionnaire__campaign__edition")
                .filter(pk=id_or_none(self.context.get("version", "")) or 0)
                .first()
            )
        if version is None:
            raise ImportRefused("请从问卷的编辑页面进入")
        if self.user is not None and not runs_questionnaire(self.user, version.questionnaire):
            raise ImportRefused("只有活动所在地区的文明办可以导入问卷")
        self.version = version

    def done_target(self) -> str:
        return f"/surveys/{self.version.questionnaire_id}/build/"

    def plan(self, workbook: Any, *, scope: Scope) -> ImportPlan:
        plan = ImportPlan()
        if self.version.state != VersionState.DRAFT:
            plan.errors.append(
                self.rows_error(f"第{self.version.number}版已启用,不能修改;请建立新版本后导入")
            )
            return plan
        engine = engine_of(self.version.questionnaire.campaign.edition)
        leaves = {c for _, c, _ in engine.leaves}
        earlier: dict[str, QuestionSpec] = {}
        for row in self.rows(workbook, SHEET, plan.errors):
            v = {k: _cell(x) for k, x in row.values.items()}
            if len(earlier) >= MAX_QUESTIONS:
                plan.errors.append(row.error("key", f"一份问卷最多{MAX_QUESTIONS}题"))
                break
            kind = KIND_BY_LABEL.get(v.get("kind", ""), "")
            weights: dict[str, str] = {}
            try:
                weights = parse_weights(v.get("weights", ""))
            except ValueError as exc:
                plan.errors.append(row.error("weights", str(exc)))
            required = v.get("required", "") or "是"
            if required not in YES | NO:
                plan.errors.append(row.error("required", "必答应填“是”或“否”"))
            spec = QuestionSpec(
                key=v.get("key", ""),
                text=v.get("text", ""),
                kind=kind or "?",
                options=split_list(v.get("options", "")),
                weights=weights,
                required=required not in NO,
                show_if_key=v.get("show_if_key", ""),
                show_if_values=split_list(v.get("show_if_values", "")),
            )
            for field_name, message in check_question(spec, earlier):
                plan.errors.append(row.error(field_name, message))
            code = v.get("code", "")
            if code and code not in leaves:
                plan.errors.append(row.error("code", f"“{code[:40]}”不是本活动测评体系的末级指标"))
            elif code and (spec.kind not in CHOICE_KINDS or not spec.weights):
                plan.errors.append(row.error("code", "只有带计分规则的选择题可以计入指标"))
            earlier.setdefault(spec.key, spec)
            section = (v.get("section", "") or "基本问题")[:100]
            plan.changes.append(
                PlannedChange(
                    sheet=SHEET,
                    row=row.number,
                    key=spec.key,
                    label=spec.text[:60],
                    action="新增",
                    data={"spec": spec, "section": section, "code": code},
                )
            )
        if not plan.changes and not plan.errors:
            plan.errors.append(self.rows_error("表中没有题目"))
        return plan

    def rows_error(self, message: str) -> CellError:
        return CellError("", 0, 0, "", message)

    def apply(self, plan: ImportPlan, *, actor: User) -> None:
        version = Version.objects.select_for_update().get(pk=self.version.pk)
        if version.state != VersionState.DRAFT:
            raise ImportRefused(f"第{version.number}版已启用,不能修改")
        version.mappings.all().delete()
        version.questions.all().delete()
        version.sections.all().delete()
        sections: dict[str, Section] = {}
        mappings: dict[str, list[str]] = {}
        for order, change in enumerate(plan.changes, start=1):
            spec: QuestionSpec = change.data["spec"]
            name = change.data["section"]
            if name not in sections:
                sections[name] = Section.objects.create(
                    version=version, order=len(sections) + 1, title=name
                )
            Question.objects.create(
                version=version,
                section=sections[name],
                order=order,
                key=spec.key,
                text=spec.text,
                kind=spec.kind,
                options=spec.options,
                weights=spec.weights,
                required=spec.required,
                show_if_key=spec.show_if_key,
                show_if_values=spec.show_if_values,
            )
            if change.data["code"]:
                mappings.setdefault(change.data["code"], []).append(spec.key)
        for code, keys in mappings.items():
            Mapping.objects.create(version=version, code=code, keys=keys)
        audit_record(
            actor=actor,
            action="survey.import",
            obj=version.questionnaire,
            field=f"第{version.number}版",
            new=f"{len(plan.changes)}题",
        )

    def export(self, *, scope: Scope) -> bytes:
        return questions_xlsx(self.version)


def questions_xlsx(version: Version) -> bytes:
    """The version's questions, one row each, in the import's layout."""
    codes: dict[str, str] = {}
    for m in version.mappings.all():
        for key in m.keys:
            codes.setdefault(key, m.code)
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet(SHEET)
    sheet.append([c.header for c in QuestionImporter.sheets[SHEET]])
    for q in version.questions.select_related("section"):
        sheet.append(
            [
                q.section.title,
                q.key,
                q.text,
                LABEL_BY_KIND.get(q.kind, q.kind),
                "|".join(q.options) if q.kind in ("single", "multiple") else "",
                weights_text(q.weights),
                "是" if q.required else "否",
                q.show_if_key,
                "|".join(q.show_if_values),
                codes.get(q.key, ""),
            ]
        )
    return workbook_bytes(wb)
