"""存在的问题 and 下一步措施 of the self-inspection report, summarised the way a unit writes them.

Deficiencies are counted per indicator area (first-level indicator) with their codes, not one
line per item; the veto and negative-list events the unit declared in its self-assessment are
stated plainly with their dates; next steps are grouped (vetoes to remove, overdue problems
counted by area with the longest overdue named, the nearest deadlines, tasks, evidence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from wenming.assessments.models import SelfAssessment
from wenming.assessments.scoring import scorecard_of
from wenming.core.engine import Engine, Scorecard
from wenming.core.events import EventEffect
from wenming.core.framework import Effect, Veto
from wenming.core.points import fmt
from wenming.documents.docx_writer import NOTE_PREFIX
from wenming.documents.wording import day, quoted
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.ledger.models import IndicatorAssignment
from wenming.ledger.selectors import open_evidence
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem, ProblemState

NUMERALS = "一二三四五六七八九十"
SUBHEADING = "## "  # a line of section text that is a second-level heading
NEAREST = 3  # deadlines named in 下一步措施
INCOMPLETE, MANUAL = "incomplete", "manual"
# where a problem came from, as the count of overdue problems names it ("巡查发现15个")
SOURCE_WORDS = {
    "patrol": "巡查发现",
    "complaint": "群众投诉",
    "citizen": "群众随手拍反映",
    "recheck": "复查发现",
    "expert": "专家测评指出",
    "negative": "负面清单事项",
    "self_assessment": "自评发现",
}


def numbered(n: int) -> str:
    return NUMERALS[n - 1] if n <= len(NUMERALS) else str(n)


def area_of(engine: Engine) -> dict[str, str]:
    """Every indicator code → the code of its first-level indicator (its area)."""
    out: dict[str, str] = {}
    for code in engine.index:
        top: str = code
        while (up := engine.parent.get(top)) is not None:
            top = up
        out[code] = top
    return out


@dataclass(frozen=True)
class Lost:
    code: str
    points: int  # hundredths lost
    reason: str


@dataclass
class Findings:
    """What the unit's data says is wrong, read once for both sections."""

    engine: Engine
    area: dict[str, str]
    assessment: SelfAssessment | None = None
    card: Scorecard | None = None
    scoring_problems: list[str] = field(default_factory=list)
    lost: dict[str, list[Lost]] = field(default_factory=dict)  # area → items
    evidence: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # status → area → codes

    def leaves_in(self, area: str) -> int:
        return sum(1 for _, code, _ in self.engine.leaves if self.area[code] == area)

    def node_name(self, code: str) -> str:
        return self.engine.nodes[self.engine.index[code]].name

    def area_name(self, code: str) -> str:
        return f"{code} {self.node_name(code)}"

    def area_order(self) -> list[str]:
        return [n.code for n in self.engine.nodes if self.engine.parent[n.code] is None]

    @property
    def effects(self) -> list[EventEffect]:
        return self.card.effects if self.card else []

    def evidence_count(self, status: str) -> int:
        return sum(len(codes) for codes in self.evidence.get(status, {}).values())


def latest_assessment(unit: Unit, edition: FrameworkEdition) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(unit=unit, edition=edition)
        .select_related("unit", "edition")
        .order_by("-revision")
        .first()
    )


def findings_of(unit: Unit, edition: FrameworkEdition, as_of: date) -> Findings:
    engine = engine_of(edition)
    found = Findings(engine, area_of(engine))
    found.assessment = latest_assessment(unit, edition)
    claimed: set[str] = set()  # bonus items the unit claimed points for
    if found.assessment is not None:
        card, problems = scorecard_of(found.assessment, found.assessment.entries.all())
        found.card, found.scoring_problems = card, problems
        if card is not None:
            items = card.result.items
            lost: dict[str, list[Lost]] = defaultdict(list)
            for index, code, _ in engine.leaves:
                if code in engine.bonus_codes:
                    if card.scores[index]:
                        claimed.add(code)
                    continue
                if code in items and card.scores[index] < card.node_max[index]:
                    missing = card.node_max[index] - card.scores[index]
                    lost[found.area[code]].append(Lost(code, missing, items[code].reason))
            found.lost = dict(lost)
    evidence: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for code, (status, _) in open_evidence(unit=unit, edition=edition, as_of=as_of).items():
        if code in engine.bonus_codes and code not in claimed:
            continue  # no evidence is owed for a bonus item the unit does not claim
        evidence[status][found.area.get(code, code)].append(code)
    found.evidence = {s: dict(by_area) for s, by_area in evidence.items()}
    return found


# -- 三、存在的问题 ---------------------------------------------------------------------


def _event_line(e: EventEffect) -> str:
    entry, event = e.entry, e.event
    what = f"{entry.code} {entry.name}" + (f"({event.note})" if event.note else "")
    if isinstance(entry, Veto) and entry.kind == "state":
        since = f"自{day(event.date)}起存在" if event.date else "存在"
        if e.counted:
            return f"{what}:{since},评分日尚未消除,属一票否决事项。"
        ended = f"已于{day(event.until)}消除" if event.until else "评分日尚不存在"
        return f"{what}:{since},{ended},不影响本次测评。"
    when = f"于{day(event.date)}发生" if event.date else "发生(未填写日期)"
    if not e.counted:
        return f"{what}:{when},不在{e.window_months}个月回溯期内,不计。"
    if isinstance(entry, Veto) or e.effect is Effect.VETO:
        return f"{what}:{when},属一票否决事项。"
    if e.effect is Effect.DEDUCT:
        return f"{what}:{when},按负面清单扣{fmt(e.points)}分。"
    if e.effect is Effect.SUSPEND:
        return f"{what}:{when},按负面清单暂缓评选。"
    return f"{what}:{when},按负面清单撤销称号。"


def event_lines(found: Findings) -> list[str]:
    """The vetoes, negative-list events and failed components the unit's self-assessment holds."""
    card = found.card
    if card is None:
        return []
    lines = [_event_line(e) for e in card.effects]
    lines += [
        f"分项{quoted(c.name)}自评得{fmt(c.score)}分,未达到{fmt(c.threshold)}分的门槛,属否决事项。"
        for c in card.components
        if not c.passed
    ]
    if card.vetoed:
        band = card.band_grade
        by_score = f"(按得分{fmt(card.total)}分应为{band})" if band != card.grade else ""
        lines.append(f"因上述否决事项,自评等级为{card.grade}{by_score}。")
    return lines


def _codes(codes: Iterable[str]) -> str:
    return "、".join(codes)


def area_lines(found: Findings) -> list[str]:
    lines: list[str] = []
    incomplete = found.evidence.get(INCOMPLETE, {})
    manual = found.evidence.get(MANUAL, {})
    for area in found.area_order():
        parts: list[str] = []
        lost = found.lost.get(area, [])
        if lost:
            items = ";".join(
                f"{x.code} {found.node_name(x.code)}扣{fmt(x.points)}分"
                + (f",原因:{x.reason}" if x.reason else "")
                for x in lost
            )
            total = sum(x.points for x in lost)
            parts.append(f"自评扣分{len(lost)}项,共扣{fmt(total)}分({items})")
        if incomplete.get(area):
            codes = incomplete[area]
            if len(codes) > 1 and len(codes) == found.leaves_in(area):
                parts.append(f"全部{len(codes)}项指标佐证不完整")
            else:
                parts.append(f"{len(codes)}项佐证不完整({_codes(codes)})")
        if manual.get(area):
            codes = manual[area]
            parts.append(f"{len(codes)}项佐证待人工确认({_codes(codes)})")
        if parts:
            lines.append(f"{found.area_name(area)}:{';'.join(parts)}。")
    return lines


def problem_section(found: Findings, edition: FrameworkEdition) -> str:
    lines: list[str] = []
    if found.assessment is None:
        lines.append(
            f"{NOTE_PREFIX}本单位尚未按{quoted(edition.name)}开展自评,自评后可列出扣分项目。"
        )
    elif found.card is None:
        lines.append(f"{NOTE_PREFIX}自评数据有误,无法计分:{';'.join(found.scoring_problems)}")
    events = event_lines(found)
    areas = area_lines(found)
    if events:
        lines.append(f"{SUBHEADING}(一)自评申报的否决事项和负面清单事项")
        lines += events
        if areas:
            lines.append(f"{SUBHEADING}(二)各方面存在的不足")
    lines += areas
    if found.card is not None and found.card.missing:
        lines.append(f"{NOTE_PREFIX}自评中还有{len(found.card.missing)}项测评内容未评分。")
    if not lines:
        lines.append("自评中没有扣分项目,未申报否决事项和负面清单事项,各项指标的佐证材料齐全。")
    return "\n".join(lines)


# -- 四、下一步措施 ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenProblem:
    title: str
    deadline: date
    area: str  # "A 领导班子建设", or where it came from (巡查 …) when it names no indicator


def open_problems(unit: Unit, found: Findings) -> list[OpenProblem]:
    """Open rectification problems (整改事项) of the unit, nearest deadline first."""
    out = []
    for problem in (
        Problem.objects.filter(unit=unit)
        .exclude(state=ProblemState.CLOSED)
        .order_by("deadline", "pk")
        .only("title", "deadline", "indicator_code", "source")
    ):
        code = problem.indicator_code
        if code and code in found.area:
            area = found.area_name(found.area[code])
        else:
            area = SOURCE_WORDS.get(problem.source, f"{problem.get_source_display()}发现")
        out.append(OpenProblem(problem.title, problem.deadline, area))
    return out


def _counted(groups: dict[str, int]) -> str:
    return "、".join(f"{name}{n}个" for name, n in sorted(groups.items(), key=lambda kv: -kv[1]))


def _problem_lines(problems: list[OpenProblem], as_of: date) -> list[str]:
    late = [p for p in problems if p.deadline < as_of]
    due = [p for p in problems if p.deadline >= as_of]
    lines: list[str] = []
    if late:
        by_area: dict[str, int] = defaultdict(int)
        for p in late:
            by_area[p.area] += 1
        oldest = late[0]
        lines.append(
            f"已逾期的整改问题{len(late)}个({_counted(by_area)}),须抓紧整改到位;"
            f"逾期最久的是{quoted(oldest.title)}(整改期限{day(oldest.deadline)})。"
        )
    if due:
        nearest = "、".join(f"{quoted(p.title)}({day(p.deadline)})" for p in due[:NEAREST])
        more = "等" if len(due) > NEAREST else ""
        other = "另有" if late else ""
        lines.append(
            f"{other}{len(due)}个问题正在整改,须按期整改到位;期限最近的是{nearest}{more}。"
        )
    return lines


def _task_lines(unit: Unit, edition: FrameworkEdition, found: Findings, as_of: date) -> list[str]:
    tasks = [
        a
        for a in IndicatorAssignment.objects.filter(
            unit=unit, edition=edition, done_at__isnull=True
        )
        .select_related("department")
        .order_by("deadline", "code")
        if a.code in found.area
    ]
    if not tasks:
        return []

    def task(a: IndicatorAssignment) -> str:
        name = found.node_name(a.code)
        who = "、".join(x for x in (a.department.name if a.department else "", a.person) if x)
        return f"{a.code} {name}" + (f"(由{who}负责)" if who else "")

    late = [a for a in tasks if a.deadline is not None and a.deadline < as_of]
    due = [a for a in tasks if a.deadline is not None and a.deadline >= as_of]
    undated = [a for a in tasks if a.deadline is None]
    lines: list[str] = []
    if late:
        by_area: dict[str, list[str]] = defaultdict(list)
        for a in late:
            by_area[found.area_name(found.area[a.code])].append(a.code)
        areas = ";".join(f"{name}:{_codes(codes)}" for name, codes in by_area.items())
        first = late[0]
        lines.append(
            f"任务分解中已逾期未完成{len(late)}项({areas}),须抓紧完成;"
            f"逾期最久的是{task(first)},期限为{day(first.deadline or as_of)}。"
        )
    if due:
        nearest = ";".join(f"{task(a)}于{day(a.deadline or as_of)}前完成" for a in due[:NEAREST])
        more = "等" if len(due) > NEAREST else ""
        lines.append(f"任务分解中尚未到期的任务{len(due)}项,期限最近的是{nearest}{more}。")
    if undated:
        lines.append(
            f"任务分解中还有{len(undated)}项未定完成期限({_codes(a.code for a in undated)}),"
            "须明确责任人和期限。"
        )
    return lines


def next_steps_section(unit: Unit, edition: FrameworkEdition, as_of: date, found: Findings) -> str:
    groups: list[tuple[str, list[str]]] = []
    vetoes = [
        f"{e.entry.code} {e.entry.name}"
        for e in found.effects
        if e.counted and e.effect in (Effect.VETO, Effect.REVOKE)
    ]
    if vetoes:
        groups.append(
            (
                "消除否决事项",
                [f"对自评申报的一票否决事项({';'.join(vetoes)})制定整改方案,限期消除。"],
            )
        )
    problems = _problem_lines(open_problems(unit, found), as_of)
    if problems:
        groups.append(("抓紧整改问题", problems))
    tasks = _task_lines(unit, edition, found, as_of)
    if tasks:
        groups.append(("落实任务分解", tasks))
    missing = found.evidence_count(INCOMPLETE)
    if missing:
        by_area = found.evidence[INCOMPLETE]
        areas = "、".join(f"{found.area_name(a)}{len(c)}项" for a, c in by_area.items())
        groups.append(
            (
                "补齐佐证材料",
                [f"对佐证不完整的{missing}项指标({areas}),由责任科室补齐台账记录和佐证材料。"],
            )
        )
    if not groups:
        return f"{NOTE_PREFIX}平台中没有未完成的任务分解项和整改事项,请补充下一步工作打算。"
    lines: list[str] = []
    for n, (title, body) in enumerate(groups, start=1):
        lines.append(f"{SUBHEADING}({numbered(n)}){title}")
        lines += body
    return "\n".join(lines)
