"""The self-inspection report (自查报告): a draft from the unit's own data, in the standard
structure 基本情况 / 主要做法和成效 / 存在的问题 / 下一步措施.

Each part is text the unit may edit. Where data is missing the draft says what is missing in a
note (a line starting 【需补充】, printed highlighted), never a placeholder; a report that
still holds one cannot be exported (:func:`sections_to_complete`). 存在的问题 and 下一步措施
are summarised in :mod:`wenming.documents.report_findings`; the titles register is read through
:func:`titles_of`. Data typed elsewhere that holds a placeholder is replaced by 〔待补充〕 with a
note, so no ××, xx, 20*年 or empty quotes reach the document. The document ends with the
sign-off (unit head, unit name with 盖章, date).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from wenming.accounts.models import Role
from wenming.documents.docx_writer import NOTE_PREFIX
from wenming.documents.model import Block, Document, Heading, Note, Paragraph
from wenming.documents.placeholders import MISSING_MARK, placeholders_in, scrubbed
from wenming.documents.report_findings import (
    SUBHEADING,
    area_of,
    findings_of,
    next_steps_section,
    numbered,
    problem_section,
)
from wenming.documents.wording import day, period, quoted
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_of
from wenming.ledger.models import Activity, ActivityIndicator
from wenming.organizations.models import Unit
from wenming.titles.models import TitleStatus
from wenming.titles.selectors import titles_of as titles_register

HEADINGS = ("一、基本情况", "二、主要做法和成效", "三、存在的问题", "四、下一步措施")
RECENT = 5  # activities named per indicator; the rest are counted


@dataclass(frozen=True)
class TitleRecord:
    year: int
    name: str


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
    root_of = area_of(engine_of(edition))
    framework = framework_of(edition)
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
        lines.append(f"{SUBHEADING}({numbered(n)}){root.name}")
        found = sorted(
            (activities[i] for i in by_root.get(root.code, ()) if i in activities),
            key=lambda a: (a.day, a.pk),
        )
        if not found:
            lines.append(
                f"{NOTE_PREFIX}{quoted(root.name)}({root.code})下没有关联的台账记录,请补充本项工作的做法和成效。"
            )
            continue
        people = sum(a.participants for a in found)
        kinds: dict[str, int] = defaultdict(int)
        for a in found:
            kinds[a.activity_type.name] += 1
        kinds_text = "、".join(f"{k}{v}次" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
        summary = (
            f"{period(found[0].day, found[-1].day)},围绕{root.name}共开展活动{len(found)}次"
            f"({kinds_text})"
        )
        summary += f",参加{people}人次。" if people else "。"
        lines.append(summary)
        for a in found[-RECENT:][::-1]:
            who = f",{a.participants}人参加" if a.participants else ""
            kind = a.activity_type.name.removesuffix("活动")
            lines.append(f"{day(a.day)},开展{kind}活动{quoted(a.title)}{who}。")
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
    found = findings_of(unit, edition, as_of)
    texts = (
        basic_section(unit),
        practice_section(unit, edition),
        problem_section(found, edition),
        next_steps_section(unit, edition, as_of, found),
    )
    return [(h, _without_placeholders(t)) for h, t in zip(HEADINGS, texts, strict=True)]


def report_title(unit: Unit, edition: FrameworkEdition) -> str:
    return scrubbed(f"{unit.name}关于{edition.campaign_type}创建工作的自查报告")


NBSP = "\u00a0"
SIGN_SPACE = "\u3000" * 6  # room to sign by hand when the head's name is not known


@dataclass(frozen=True)
class SignOff:
    """The end of the report a unit signs and stamps: unit, its head (if known), the date."""

    unit: str
    head: str
    on: date

    @property
    def lines(self) -> tuple[str, str, str]:
        """单位负责人 (signature), the unit with 盖章, the date: as printed, right-aligned."""
        head = scrubbed(self.head).replace(" ", NBSP) or SIGN_SPACE
        return (f"单位负责人(签字):{head}", f"{scrubbed(self.unit)}（盖章）", day(self.on))


def unit_head_name(unit: Unit) -> str:
    """The name of the unit's head (单位负责人) as the platform knows it, or ""."""
    for user in User.objects.filter(
        is_active=True, grants__role=Role.UNIT_HEAD, grants__unit=unit
    ).order_by("pk"):
        name = user.get_full_name().strip()
        if name:
            return name
    return ""


def sign_off_of(unit: Unit, on: date) -> SignOff:
    return SignOff(unit=unit.name, head=unit_head_name(unit), on=on)


def document_of(
    title: str, sections: list[tuple[str, str]], sign_off: SignOff | None = None
) -> Document:
    """Sections of text → the structured document (notes and sub-headings recognised), ending
    with the sign-off when given."""
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
                # a code and its name ("A1.6 校园环境") stay together: a justified line is not
                # stretched at the space, nor broken there
                blocks.append(Paragraph(line.replace(" ", NBSP)))
    document = Document(title=scrubbed(title), blocks=blocks, style="report")
    if sign_off is not None:
        document.signatory, document.issuer, document.date = sign_off.lines
    return document


def sections_to_complete(sections: list[tuple[str, str]]) -> list[str]:
    """Headings of the sections that still hold a 【需补充】 note or an unfilled placeholder
    (〔待补充〕, ××, …): the report cannot be exported until they are done."""
    return [
        heading
        for heading, text in sections
        if any(line.strip().startswith(NOTE_PREFIX) for line in text.splitlines())
        or MISSING_MARK in text
        or placeholders_in(text)
    ]


def export_refusal(headings: list[str]) -> str:
    """Why an export is refused, naming the sections still to complete."""
    return (
        f"自查报告的{';'.join(headings)}中仍有“【需补充】”提示或未填写的内容,"
        "请补充实际内容并删除提示行后再导出"
    )
