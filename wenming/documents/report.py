"""The self-inspection report (自查报告): a draft from the unit's own data, in the standard
structure 基本情况 / 主要做法和成效 / 存在的问题 / 下一步措施.

Each part is text the unit may edit. Where data is missing the draft says what is missing in a
note (a line starting 【需补充】, printed highlighted), never a placeholder. Two sources are
read other apps: :func:`titles_of` (the titles register) and :func:`rectification_items` (open
rectification problems). Data typed elsewhere that holds a placeholder is replaced by 〔待补充〕
with a note, so no ××, xx, 20*年 or empty quotes reach the document.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from wenming.assessments.models import SelfAssessment
from wenming.assessments.scoring import scorecard_of
from wenming.core.points import fmt
from wenming.documents.docx_writer import NOTE_PREFIX
from wenming.documents.model import Block, Document, Heading, Note, Paragraph
from wenming.documents.placeholders import MISSING_MARK, placeholders_in, scrubbed
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_of
from wenming.ledger.models import Activity, ActivityIndicator, IndicatorAssignment
from wenming.ledger.selectors import missing_evidence
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem, ProblemState
from wenming.titles.models import TitleStatus
from wenming.titles.selectors import titles_of as titles_register

NUMERALS = "一二三四五六七八九十"
HEADINGS = ("一、基本情况", "二、主要做法和成效", "三、存在的问题", "四、下一步措施")
SUBHEADING = "## "  # a line of section text that is a second-level heading
RECENT = 5  # activities named per indicator; the rest are counted


@dataclass(frozen=True)
class TitleRecord:
    year: int
    name: str


@dataclass(frozen=True)
class OpenItem:
    text: str


def titles_of(unit: Unit) -> list[TitleRecord]:
    """Titles the unit holds or held (campaign-granted and imported), with years; revoked ones
    are not claimed."""

    return [
        TitleRecord(year, name)
        for year, name in titles_register(unit)
        .exclude(status=TitleStatus.REVOKED)
        .order_by("year", "pk")
        .values_list("year", "name")
    ]


def rectification_items(unit: Unit, edition: FrameworkEdition, as_of: date) -> list[OpenItem]:
    """Open rectification problems (整改事项) of the unit, each with its deadline."""

    items = []
    for problem in (
        Problem.objects.filter(unit=unit)
        .exclude(state=ProblemState.CLOSED)
        .order_by("deadline", "pk")
        .only("title", "deadline", "indicator_code", "state")
    ):
        code = f"({problem.indicator_code})" if problem.indicator_code else ""
        late = ",已逾期,须抓紧完成" if problem.deadline < as_of else ""
        items.append(
            OpenItem(
                f"整改“{problem.title}”{code}:目前{problem.get_state_display()},"
                f"于{_day(problem.deadline)}前整改到位{late}。"
            )
        )
    return items


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _numbered(n: int) -> str:
    return NUMERALS[n - 1] if n <= len(NUMERALS) else str(n)


def basic_section(unit: Unit) -> str:
    lines: list[str] = []
    where = unit.region.name
    supervisor = f",主管部门为{unit.supervisor.name}" if unit.supervisor else ""
    lines.append(f"{unit.name}是位于{where}的{unit.unit_type.name}{supervisor}。")
    departments = list(unit.departments.values_list("name", flat=True))
    if departments:
        lines.append(f"单位内设{len(departments)}个科室:{'、'.join(departments)}。")
    else:
        lines.append(f"{NOTE_PREFIX}平台中没有本单位的科室信息,请在单位信息中登记科室。")
    if unit.headcount:
        staff = f"现有职工{unit.headcount}人"
        staff += f",其中党员{unit.party_members}人。" if unit.party_members else "。"
        lines.append(staff)
        if not unit.party_members:
            lines.append(f"{NOTE_PREFIX}单位信息中没有党员人数,请补充。")
    else:
        lines.append(f"{NOTE_PREFIX}单位信息中没有职工人数和党员人数,请补充。")
    if unit.enrolment:
        parts = "、".join(f"{stage}{n}人" for stage, n in unit.enrolment.items())
        lines.append(f"在校学生:{parts}。")
    titles = titles_of(unit)
    if titles:
        listed = "、".join(
            t.name if t.name.startswith(f"{t.year}年") else f"{t.year}年{t.name}"
            for t in sorted(titles, key=lambda t: t.year)
        )
        lines.append(f"近年来先后获得{listed}等荣誉。")
    else:
        lines.append(f"{NOTE_PREFIX}平台中尚无本单位获得荣誉称号的记录,请补充历年所获荣誉及年份。")
    return "\n".join(lines)


def practice_section(unit: Unit, edition: FrameworkEdition) -> str:
    """One part per first-level indicator: the ledger activities linked under it, in figures."""
    engine = engine_of(edition)
    framework = framework_of(edition)
    root_of: dict[str, str] = {}
    for node, _, _ in framework.walk():
        code: str | None = node.code
        while code is not None and engine.parent.get(code) is not None:
            code = engine.parent[code]
        root_of[node.code] = code or node.code
    by_root: dict[str, set[int]] = defaultdict(set)
    for code, activity_id in ActivityIndicator.objects.filter(
        unit=unit, edition=edition
    ).values_list("code", "activity_id"):
        by_root[root_of.get(code, code)].add(activity_id)
    wanted = set().union(*by_root.values()) if by_root else set()
    activities = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=wanted)
        .select_related("activity_type")
        .only("id", "title", "day", "participants", "activity_type__name")
    }
    lines: list[str] = []
    for n, root in enumerate(framework.indicators, start=1):
        lines.append(f"{SUBHEADING}({_numbered(n)}){root.name}")
        found = sorted(
            (activities[i] for i in by_root.get(root.code, ()) if i in activities),
            key=lambda a: (a.day, a.pk),
        )
        if not found:
            lines.append(
                f"{NOTE_PREFIX}“{root.name}”({root.code})下没有关联的台账记录,请补充本项工作的做法和成效。"
            )
            continue
        people = sum(a.participants for a in found)
        kinds: dict[str, int] = defaultdict(int)
        for a in found:
            kinds[a.activity_type.name] += 1
        kinds_text = "、".join(f"{k}{v}次" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
        summary = (
            f"{_day(found[0].day)}至{_day(found[-1].day)},围绕{root.name}共开展活动{len(found)}次"
            f"({kinds_text})"
        )
        summary += f",参加{people}人次。" if people else "。"
        lines.append(summary)
        for a in found[-RECENT:][::-1]:
            who = f",{a.participants}人参加" if a.participants else ""
            lines.append(f"{_day(a.day)},开展{a.activity_type.name}活动“{a.title}”{who}。")
    return "\n".join(lines)


def latest_assessment(unit: Unit, edition: FrameworkEdition) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(unit=unit, edition=edition)
        .select_related("unit", "edition")
        .order_by("-revision")
        .first()
    )


def problem_section(unit: Unit, edition: FrameworkEdition, as_of: date) -> str:
    lines: list[str] = []
    engine = engine_of(edition)
    assessment = latest_assessment(unit, edition)
    if assessment is None:
        lines.append(f"{NOTE_PREFIX}本单位尚未按“{edition.name}”开展自评,自评后可列出扣分项目。")
    else:
        card, problems = scorecard_of(assessment, assessment.entries.all())
        if card is None:
            lines.append(f"{NOTE_PREFIX}自评数据有误,无法计分:{';'.join(problems)}")
        else:
            entries = card.result.items
            lost = [
                (code, index)
                for index, code, _ in engine.leaves
                if code not in engine.bonus_codes
                and code in entries
                and card.scores[index] < card.node_max[index]  # 不适用: nothing lost
            ]
            for code, index in lost:
                node = engine.nodes[index]
                reason = entries[code].reason
                why = f",原因:{reason}" if reason else ""
                lines.append(
                    f"{code} {node.name}:自评得{fmt(card.scores[index])}分(满分{fmt(engine.max_points[index])}分){why}。"
                )
            unscored = len(card.missing)
            if unscored:
                lines.append(f"{NOTE_PREFIX}自评中还有{unscored}项测评内容未评分。")
    missing = missing_evidence(unit=unit, edition=edition, as_of=as_of)
    for code, reason in missing.items():
        node = engine.nodes[engine.index[code]]
        lines.append(f"{code} {node.name}:佐证材料不完整({reason})。")
    if not lines:
        lines.append("自评中没有扣分项目,各项指标的佐证材料齐全。")
    return "\n".join(lines)


def next_steps_section(unit: Unit, edition: FrameworkEdition, as_of: date) -> str:
    engine = engine_of(edition)
    lines: list[str] = []
    for a in (
        IndicatorAssignment.objects.filter(unit=unit, edition=edition, done_at__isnull=True)
        .select_related("department")
        .order_by("deadline", "code")
    ):
        if a.code not in engine.index:
            continue
        name = engine.nodes[engine.index[a.code]].name
        who = "、".join(x for x in (a.department.name if a.department else "", a.person) if x)
        line = f"{a.code} {name}" + (f":由{who}负责" if who else "")
        if a.deadline:
            late = ",已逾期,须抓紧完成" if a.deadline < as_of else ""
            line += f",于{_day(a.deadline)}前完成{late}"
        lines.append(line + "。")
    lines += [item.text for item in rectification_items(unit, edition, as_of)]
    if not lines:
        lines.append(f"{NOTE_PREFIX}平台中没有未完成的任务分解项和整改事项,请补充下一步工作打算。")
    return "\n".join(lines)


def _without_placeholders(text: str) -> str:
    """Data typed elsewhere (an activity titled “××讲座”) must not carry a placeholder into the
    report: the line is kept with 〔待补充〕 in its place, after a note saying what to fix."""
    lines = []
    for line in text.splitlines():
        found = placeholders_in(line)
        if found and not line.startswith(NOTE_PREFIX):
            lines.append(
                f"{NOTE_PREFIX}下一句所依据的平台数据中有未填写的内容(标为{MISSING_MARK}),"
                "请在平台中改正后重新生成,或直接修改本段。"
            )
        lines.append(scrubbed(line) if found else line)
    return "\n".join(lines)


def draft_sections(unit: Unit, edition: FrameworkEdition, as_of: date) -> list[tuple[str, str]]:
    texts = (
        basic_section(unit),
        practice_section(unit, edition),
        problem_section(unit, edition, as_of),
        next_steps_section(unit, edition, as_of),
    )
    return [(h, _without_placeholders(t)) for h, t in zip(HEADINGS, texts, strict=True)]


def report_title(unit: Unit, edition: FrameworkEdition) -> str:
    return scrubbed(f"{unit.name}关于{edition.campaign_type}创建工作的自查报告")


def document_of(title: str, sections: list[tuple[str, str]]) -> Document:
    """Sections of text → the structured document (notes and sub-headings recognised)."""
    blocks: list[Block] = []
    for heading, text in sections:
        blocks.append(Heading(heading, 1))
        for raw in text.splitlines():
            line = scrubbed(raw.strip())  # the last guard: nothing stored may print ××
            if not line:
                continue
            if line.startswith(NOTE_PREFIX):
                blocks.append(Note(line.removeprefix(NOTE_PREFIX)))
            elif line.startswith(SUBHEADING):
                blocks.append(Heading(line.removeprefix(SUBHEADING).strip(), 2))
            else:
                blocks.append(Paragraph(line))
    return Document(title=scrubbed(title), blocks=blocks, style="report")
