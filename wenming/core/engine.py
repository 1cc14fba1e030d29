"""The scoring engine: one framework edition, one unit's results → every figure and why.

``Engine(framework)`` compiles the tree once into flat arrays (leaf scorers, child index lists
in post-order) so that scoring a unit is a tight loop over integers in hundredths of a point.
Explanations are built only when asked for (:meth:`Scorecard.explain`), from the same inputs.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from wenming.core.events import (
    DEFAULT_VETO_WINDOW_MONTHS,
    Event,
    EventEffect,
    effect_line,
    in_window,
    months_before,
    state_holds,
)
from wenming.core.framework import Effect, Framework, Indicator, limit_applies
from wenming.core.points import fmt, to_centi
from wenming.core.styles import (
    NA_TEXT,
    NOT_APPLICABLE,
    InputError,
    ScoringStyle,
    UnitProfile,
    style_for,
)

NONE: frozenset[int] = frozenset()

__all__ = [
    "ComponentScore",
    "Engine",
    "Event",
    "EventEffect",
    "ItemResult",
    "Scorecard",
    "UnitResult",
    "in_window",
    "months_before",
]


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One leaf item's entry: the style's value, the reason for a deduction, a note (说明)."""

    value: object
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class UnitResult:
    """Everything the engine is given about one unit."""

    items: Mapping[str, ItemResult]
    as_of: date
    events: Sequence[Event] = ()
    components: Mapping[str, int] = field(default_factory=dict)
    profile: UnitProfile = field(default_factory=UnitProfile)
    unit: str = ""


@dataclass(frozen=True)
class ComponentScore:
    code: str
    name: str
    score: int
    threshold: int
    weight_percent: Fraction

    @property
    def passed(self) -> bool:
        return self.score >= self.threshold


class Engine:
    """A compiled framework edition."""

    def __init__(self, framework: Framework) -> None:
        self.framework = fw = framework
        self.nodes: list[Indicator] = []
        self.index: dict[str, int] = {}
        self.parent: dict[str, str | None] = {}
        self.depth: dict[str, int] = {}
        for node, parent, depth in fw.walk():
            self.index[node.code] = len(self.nodes)
            self.nodes.append(node)
            self.parent[node.code] = parent.code if parent else None
            self.depth[node.code] = depth
        self.styles: dict[str, ScoringStyle] = {
            n.code: style_for(n, fw) for n in self.nodes if n.is_leaf
        }
        self.leaves = [(self.index[c], c, s.score) for c, s in self.styles.items()]
        self.main_roots = [self.index[n.code] for n in fw.indicators]
        self.bonus_roots = [self.index[n.code] for n in fw.bonus.indicators] if fw.bonus else []
        main = sum(1 for _ in fw.walk(bonus=False))
        self.bonus_codes = {n.code for n in self.nodes[main:]}  # walk() yields bonus nodes last
        # internal nodes, children before parents, each with a getter for its children's scores
        self.internal: list[tuple[int, Callable[[list[int]], Iterable[int]]]] = []
        for i in range(len(self.nodes) - 1, -1, -1):
            kids = [self.index[c.code] for c in self.nodes[i].children]
            if kids:
                self.internal.append((i, _getter(kids)))
        self.max_points = [to_centi(n.points) for n in self.nodes]
        # each node with its ancestors, to take a leaf that is out off every sum it is in
        self.ancestors: list[tuple[int, ...]] = []
        for node in self.nodes:
            chain, code = [self.index[node.code]], self.parent[node.code]
            while code is not None:
                chain.append(self.index[code])
                code = self.parent[code]
            self.ancestors.append(tuple(chain))
        self.total_max = to_centi(fw.total)
        self.bonus_cap = to_centi(fw.bonus.cap) if fw.bonus else 0
        self.bands = sorted(((to_centi(b.min), b.name) for b in fw.bands), reverse=True)
        self.vetoes = {v.code: v for v in fw.vetoes}
        self.negative = {n.code: n for n in fw.negative_list}
        self.main_weight = Fraction(100) - sum(
            (Fraction(c.weight) for c in fw.components), Fraction(0)
        )
        self.na_allowed = {n.code for n in self.nodes if n.is_leaf and n.allow_na}
        self.scale_na = fw.na_total == "scale"
        self.negative_cap = to_centi(fw.negative_cap) if fw.negative_cap is not None else None
        # node index -> (unit types, stages) it is limited to, for limited nodes only
        self.node_limits = _node_limits(fw)
        self.limits = {i: lim for i, lim in self.node_limits.items() if self.nodes[i].is_leaf}
        self._excluded: dict[tuple[str | None, str | None], frozenset[int]] = {}

    # -- input ---------------------------------------------------------------------------

    def parse_item(self, code: str, raw: object, *, reason: str = "", note: str = "") -> ItemResult:
        """Check one entered value against its item's style; raise InputError in Chinese."""
        style = self.styles.get(code)
        if style is None:
            known = code in self.index
            raise InputError(
                f"{code} 不是末级指标,不能直接评分" if known else f"指标“{code}”不存在"
            )
        if (isinstance(raw, str) and raw.strip() == NA_TEXT) or raw is NOT_APPLICABLE:
            if code not in self.na_allowed:
                raise InputError(f"{code} 不允许填写“不适用”")
            return ItemResult(NOT_APPLICABLE, reason, note)
        return ItemResult(style.parse(raw), reason, note)

    def excluded(self, profile: UnitProfile) -> frozenset[int]:
        """Leaf indexes that do not apply to a unit of this type and stage (cached)."""
        key = (profile.unit_type, profile.stage)
        found = self._excluded.get(key)
        if found is None:
            found = frozenset(
                index
                for index, (types, stages) in self.limits.items()
                if not limit_applies(
                    unit_types=types, stages=stages, unit_type=key[0], stage=key[1]
                )
            )
            self._excluded[key] = found
        return found

    def applies(self, code: str, profile: UnitProfile) -> bool:
        """Whether the node ``code`` (and so its branch) applies to a unit of this profile."""
        limit = self.node_limits.get(self.index[code])
        if limit is None:
            return True
        return limit_applies(
            unit_types=limit[0], stages=limit[1], unit_type=profile.unit_type, stage=profile.stage
        )

    def check_event(self, code: str) -> None:
        if code not in self.vetoes and code not in self.negative:
            raise InputError(f"“{code}”不是本框架的否决项或负面清单条目")

    # -- scoring -------------------------------------------------------------------------

    def grade_of(self, total: int) -> str:
        for minimum, name in self.bands:
            if total >= minimum:
                return name
        return self.bands[-1][1]

    def score(self, result: UnitResult) -> Scorecard:
        items, profile = result.items, result.profile
        scores = [0] * len(self.nodes)
        na: list[int] = []
        get, na_marker = items.get, NOT_APPLICABLE  # locals: this is the hot loop
        for index, code, scorer in self.leaves:
            entry = get(code)
            if entry is not None:
                value = entry.value
                if value is na_marker:
                    na.append(index)
                else:
                    scores[index] = scorer(value, profile)
        excluded = self.excluded(profile) if self.limits else NONE
        for index in excluded:
            scores[index] = 0
        for index, children in self.internal:
            scores[index] = sum(children(scores))
        base = sum(scores[i] for i in self.main_roots)
        bonus_raw = sum(scores[i] for i in self.bonus_roots)
        not_applicable = frozenset(na).difference(excluded) if na else NONE
        return Scorecard(self, result, scores, base, bonus_raw, excluded, not_applicable)

    def assess_events(self, events: Iterable[Event], *, as_of: date) -> list[EventEffect]:
        """Which veto and negative-list events count as of ``as_of``, and with what effect.

        The one source of truth for look-back windows: scoring uses it, and so does campaign
        eligibility ("no veto or negative-list event within 24 months").
        """
        out = []
        for event in events:
            veto = self.vetoes.get(event.code)
            if veto is not None and veto.kind == "state":
                counted = state_holds(event.date, event.until, as_of)
                out.append(EventEffect(event, veto, Effect.VETO, counted, 0))
                continue
            if veto is not None:
                months = veto.window_months or DEFAULT_VETO_WINDOW_MONTHS
                counted = in_window(event.date, as_of, months)
                out.append(EventEffect(event, veto, Effect.VETO, counted, months))
                continue
            entry = self.negative[event.code]
            points = to_centi(entry.points) if entry.points else 0
            counted = in_window(event.date, as_of, entry.window_months)
            out.append(
                EventEffect(event, entry, entry.effect, counted, entry.window_months, points)
            )
        return out

    def score_many(self, results: Iterable[UnitResult]) -> list[Scorecard]:
        return [self.score(r) for r in results]


def _node_limits(fw: Framework) -> dict[int, tuple[frozenset[str] | None, frozenset[str] | None]]:
    """For each limited node (by pre-order index), the unit types and stages it applies to.

    A limit on a branch holds for everything below it; limits on the way down intersect.
    """
    out: dict[int, tuple[frozenset[str] | None, frozenset[str] | None]] = {}
    roots = [fw.indicators, *([fw.bonus.indicators] if fw.bonus else [])]
    counter = 0

    def visit(node: Indicator, types: frozenset[str] | None, stages: frozenset[str] | None) -> None:
        nonlocal counter
        index = counter
        counter += 1
        if node.unit_types:
            types = frozenset(node.unit_types) if types is None else types & set(node.unit_types)
        if node.stages:
            stages = frozenset(node.stages) if stages is None else stages & set(node.stages)
        if types is not None or stages is not None:
            out[index] = (types, stages)
        for child in node.children:
            visit(child, types, stages)

    for tree in roots:
        for node in tree:
            visit(node, None, None)
    return out


def _getter(indexes: list[int]) -> Callable[[list[int]], Iterable[int]]:
    if len(indexes) == 1:
        only = indexes[0]
        return lambda scores: (scores[only],)
    return operator.itemgetter(*indexes)


class Scorecard:
    """One unit's result. Node scores are computed eagerly; the rest on first access."""

    def __init__(
        self,
        engine: Engine,
        result: UnitResult,
        scores: list[int],
        base: int,
        bonus_raw: int,
        excluded: frozenset[int] = frozenset(),
        not_applicable: frozenset[int] = frozenset(),
    ) -> None:
        self.engine = engine
        self.result = result
        self.scores = scores
        self.excluded = excluded  # leaves that do not apply to the unit's type or stage
        self.not_applicable = not_applicable  # leaves entered as 不适用
        self.node_max = engine.max_points
        self.base_raw = base
        self.applicable_max = engine.total_max
        if excluded or not_applicable:
            self.node_max = self._unit_maxima(excluded | not_applicable)
            self.applicable_max = sum(self.node_max[i] for i in engine.main_roots)
            if engine.scale_na and self.applicable_max < engine.total_max:
                base = (
                    _divide_half_up(base * engine.total_max, self.applicable_max)
                    if self.applicable_max
                    else 0
                )
        self.base = base
        self.bonus_raw = bonus_raw
        self.bonus = min(bonus_raw, engine.bonus_cap)
        effects = engine.assess_events(result.events, as_of=result.as_of) if result.events else []
        self.effects = effects
        self.components = self._components() if engine.framework.components else []
        self.weighted = self._weighted()
        self.deduction_lines: list[str] = []
        self.deductions = self._deductions() if effects else 0
        self.total = max(0, self.weighted + self.bonus - self.deductions)
        self.band_grade = engine.grade_of(self.total)
        self.vetoed = self.revoked = self.suspended = False
        if effects:
            self.vetoed = any(
                e.counted and e.effect in (Effect.VETO, Effect.REVOKE) for e in effects
            )
            self.revoked = any(e.counted and e.effect is Effect.REVOKE for e in effects)
            self.suspended = any(e.counted and e.effect is Effect.SUSPEND for e in effects)
        if self.components:
            self.vetoed = self.vetoed or any(not c.passed for c in self.components)
        self.grade = engine.framework.failing_grade if self.vetoed else self.band_grade

    # -- derived figures -----------------------------------------------------------------

    def _unit_maxima(self, out: frozenset[int]) -> list[int]:
        """Each node's maximum for this unit: leaves that are out count for nothing."""
        engine = self.engine
        maxima = list(engine.max_points)
        ancestors, points = engine.ancestors, engine.max_points
        for index in out:
            lost = points[index]
            for node in ancestors[index]:
                maxima[node] -= lost
        return maxima

    def _deductions(self) -> int:
        """Negative-list deductions: per entry up to its ``max``, all up to ``negative_cap``."""
        per_entry: dict[str, int] = {}
        for e in self.effects:
            if e.counted and e.effect is Effect.DEDUCT:
                per_entry[e.entry.code] = per_entry.get(e.entry.code, 0) + e.points
        total = 0
        for code, amount in per_entry.items():
            entry = self.engine.negative[code]
            cap = to_centi(entry.max) if entry.max is not None else None
            if cap is not None and amount > cap:
                self.deduction_lines.append(
                    f"负面清单 {code} 累计扣{fmt(amount)}分,按本条上限{fmt(cap)}分计"
                )
                amount = cap
            total += amount
        cap = self.engine.negative_cap
        if cap is not None and total > cap:
            self.deduction_lines.append(f"负面清单扣分合计{fmt(total)}分,按上限{fmt(cap)}分计")
            total = cap
        return total

    def _components(self) -> list[ComponentScore]:
        given = self.result.components
        return [
            ComponentScore(
                c.code, c.name, given.get(c.code, 0), to_centi(c.threshold), Fraction(c.weight)
            )
            for c in self.engine.framework.components
        ]

    def _weighted(self) -> int:
        if not self.components:
            return self.base
        engine = self.engine
        exact = Fraction(self.base) * engine.main_weight / 100
        for comp, spec in zip(self.components, engine.framework.components, strict=True):
            scaled = Fraction(comp.score) * engine.total_max / to_centi(spec.points)
            exact += scaled * comp.weight_percent / 100
        return _round_half_up(exact)

    # -- reading -------------------------------------------------------------------------

    def node(self, code: str) -> int:
        return self.scores[self.engine.index[code]]

    @property
    def missing(self) -> list[str]:
        items, out = self.result.items, self.excluded
        return [code for i, code, _ in self.engine.leaves if code not in items and i not in out]

    @property
    def veto_reasons(self) -> list[str]:
        reasons = [
            effect_line(e)
            for e in self.effects
            if e.counted and e.effect in (Effect.VETO, Effect.REVOKE)
        ]
        reasons += [
            f"分项“{c.name}”得{fmt(c.score)}分,未达到{fmt(c.threshold)}分门槛"
            for c in self.components
            if not c.passed
        ]
        return reasons

    def rows(self) -> list[tuple[str, str, int, int, int]]:
        """(code, name, depth, max points, score) for every node, in tree order."""
        engine = self.engine
        return [
            (n.code, n.name, engine.depth[n.code], self.node_max[i], self.scores[i])
            for i, n in enumerate(engine.nodes)
        ]

    def explain(self) -> list[str]:
        """Every deduction, veto, negative-list effect and cap, one line each, in Chinese."""
        engine, items, profile = self.engine, self.result.items, self.result.profile
        lines: list[str] = []
        for index, code, _ in engine.leaves:
            if code in engine.bonus_codes or index in self.excluded:
                continue
            entry = items.get(code)
            if index in self.not_applicable:
                name = engine.nodes[index].name
                lines.append(f"{code} 不适用,不计分({name},本项{fmt(engine.max_points[index])}分)")
            elif entry is None:
                lines.append(f"{code} 未评分,计0分({engine.nodes[index].name})")
            elif self.scores[index] < engine.max_points[index]:
                style = engine.styles[code]
                lines.append(style.describe(entry.value, profile, self.scores[index], entry.reason))
        lines.extend(self._applicability_lines())
        for index, code, _ in engine.leaves:
            if code in engine.bonus_codes and self.scores[index]:
                entry = items.get(code)
                why = f":{entry.reason}" if entry and entry.reason else ""
                lines.append(f"加分 {code} 加{fmt(self.scores[index])}分{why}")
        if self.bonus_raw > self.bonus:
            lines.append(f"加分合计{fmt(self.bonus_raw)}分,按上限{fmt(engine.bonus_cap)}分计")
        for comp in self.components:
            verdict = "达到门槛" if comp.passed else "未达到门槛,不具备资格"
            lines.append(
                f"分项“{comp.name}”得{fmt(comp.score)}分(门槛{fmt(comp.threshold)}分,{verdict}),"
                f"按{_percent(comp.weight_percent)}%计入总分"
            )
        lines.extend(effect_line(e) for e in self.effects)
        lines.extend(self.deduction_lines)
        if self.vetoed:
            lines.append(f"因否决事项,等级为{self.grade}(按得分应为{self.band_grade})")
        return lines

    def _applicability_lines(self) -> list[str]:
        engine = self.engine
        lines = []
        main_out = [i for i in self.excluded if engine.nodes[i].code not in engine.bonus_codes]
        if main_out:
            profile = self.result.profile
            who = "、".join(filter(None, (profile.unit_type, profile.stage))) or "本单位"
            out_points = sum(engine.max_points[i] for i in main_out)
            listed = "、".join(engine.nodes[i].code for i in sorted(main_out)[:10])
            more = "等" if len(main_out) > 10 else ""
            lines.append(
                f"{listed}{more}共{len(main_out)}项({fmt(out_points)}分)不适用于{who},不评分、不计入"
            )
        if self.applicable_max < engine.total_max:
            if engine.scale_na:
                lines.append(
                    f"适用指标满分{fmt(self.applicable_max)}分,实得{fmt(self.base_raw)}分,"
                    f"按总分{fmt(engine.total_max)}分折算为{fmt(self.base)}分"
                    f"(得分×{fmt(engine.total_max)}÷{fmt(self.applicable_max)},四舍五入到0.01分)"
                )
            else:
                lines.append(
                    f"适用指标满分{fmt(self.applicable_max)}分,按实得{fmt(self.base)}分计,不折算"
                )
        return lines


def _divide_half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator (both ≥ 0) rounded half-up to an integer, exactly."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def _round_half_up(value: Fraction) -> int:
    floor = value.numerator // value.denominator
    return floor + (1 if value - floor >= Fraction(1, 2) else 0)


def _percent(value: Fraction) -> str:
    return fmt(int(value * 100))
