"""Whole-framework rules on top of the field-by-field pydantic model.

``framework_from_data`` is the only way a framework enters the system: it returns a
:class:`Framework` or raises :class:`FileInvalid` listing every problem found, each with its
path in the document so that the YAML and Excel readers can name the line or the cell.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from wenming.core.errors import FileInvalid, Issue, Loc
from wenming.core.framework import (
    METHODS,
    NA_TOTAL_LABELS,
    STAGES,
    Effect,
    EvidenceRule,
    Framework,
    Indicator,
)
from wenming.core.points import PointsError, to_centi
from wenming.core.rules import rule_mismatch
from wenming.core.styles import REGISTRY, InputError

FIELD_LABELS = {
    "id": "标识",
    "name": "名称",
    "edition": "版本",
    "campaign_type": "创建类型",
    "unit_types": "适用单位类型",
    "stages": "适用学段",
    "total": "总分",
    "indicators": "指标",
    "children": "下级指标",
    "code": "编码",
    "points": "分值",
    "scoring": "评分方式",
    "style": "评分方式",
    "methods": "测评方法",
    "bands": "等级",
    "min": "下限",
    "max": "上限",
    "cap": "加分上限",
    "effect": "处理方式",
    "window_months": "回溯期(月)",
    "threshold": "门槛分",
    "weight": "权重",
    "per_occurrence": "每处扣分",
    "standard": "标准值",
    "direction": "比较方向",
    "per_students": "生均基数",
    "grades": "等级比例",
    "share": "得分比例",
    "from": "达标比例下限",
    "tiers": "分档",
    "at": "档次起点",
    "kinds": "问题类型",
    "per": "每处扣分",
    "levels": "加分级别",
    "allow_na": "可不适用",
    "na_total": "不适用计分",
    "negative_cap": "负面清单扣分上限",
    "kind": "类型",
    "unit": "单位",
    "input": "录入内容",
}


def framework_from_data(data: Any) -> Framework:
    """Validate a parsed framework document; raise FileInvalid with every problem found."""
    if not isinstance(data, dict):
        raise FileInvalid([Issue((), "框架文件的顶层应为键值对(字段: 值)")])
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        issues = translate(exc)
        raise FileInvalid([*issues, *_beyond(data, issues)]) from None
    issues = list(check(framework))
    if issues:
        raise FileInvalid(issues)
    return framework


# What a field that failed to parse is replaced with, so that the rest of the document can be
# checked in the same pass (the replacement's own consequences are not reported).
STAND_INS: dict[str, Any] = {"points": 0, "name": "-", "total": 0}
SALVAGE_ROUNDS = 3


def _beyond(data: dict[str, Any], found: list[Issue]) -> list[Issue]:
    """The problems a person would meet after fixing ``found``: the document with each field
    that failed to parse stood in for (or an unknown field dropped) is checked again, and what
    that finds elsewhere is reported now rather than one round later. Sums of points, which
    the stand-ins change, are left out."""
    patched: Any = copy.deepcopy(data)
    stood_in: list[Loc] = []
    issues = found
    for _ in range(SALVAGE_ROUNDS):
        for issue in issues:
            if not _stand_in(patched, issue.loc):
                return []
            stood_in.append(issue.loc)
        try:
            framework = Framework.model_validate(patched)
        except ValidationError as exc:
            issues = translate(exc)
            continue
        return [i for i in check(framework) if i.loc not in stood_in and not i.is_sum]
    return []


def _stand_in(doc: Any, loc: Loc) -> bool:
    """Replace the value at ``loc`` by its stand-in (or drop an unknown field); False when the
    location cannot be patched."""
    if not loc or not isinstance(loc[-1], str):
        return False
    holder = doc
    for part in loc[:-1]:
        try:
            holder = holder[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(holder, dict):
        return False
    field = loc[-1]
    if field in STAND_INS:
        holder[field] = STAND_INS[field]
    elif field in holder:
        del holder[field]
    else:
        return False
    return True


def translate(exc: ValidationError, prefix: Loc = ()) -> list[Issue]:
    """Turn pydantic's errors into Chinese issues keeping their location."""
    issues = []
    for err in exc.errors():
        loc: Loc = prefix + tuple(err["loc"])
        # pydantic puts the tagged-union / validator name into the loc; drop non-field parts
        loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p))
        issues.append(Issue(loc, _message(err, loc)))
    return issues


def _message(err: Any, loc: Loc) -> str:
    names = [p for p in loc if isinstance(p, str)]
    field = FIELD_LABELS.get(names[-1], names[-1]) if names else "内容"
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return f"缺少必填项“{field}”"
    if kind == "extra_forbidden":
        return f"未知字段“{names[-1] if names else ''}”"
    if kind in ("greater_than_equal", "greater_than"):
        if ctx.get("ge") == 0 or ctx.get("gt") == 0:
            return f"{field}不能为负数" if kind == "greater_than_equal" else f"{field}应大于0"
        return f"{field}应不小于{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{field}应不大于{ctx.get('le', ctx.get('lt'))}"
    if kind in ("decimal_parsing", "decimal_type", "int_parsing", "int_type", "float_parsing"):
        return f"{field}应为数字"
    if kind == "string_too_short":
        return f"{field}不能为空"
    if kind == "string_too_long":
        return f"{field}过长(最多{ctx.get('max_length')}字)"
    if kind == "too_short":
        return f"{field}至少需要一项"
    if kind == "string_pattern_mismatch" and names and names[-1] != "id":
        # kind and level names of the findings and awards styles
        return f"“{err.get('input')}”不能包含数字、顿号、逗号、分号或冒号"
    if kind == "string_pattern_mismatch":
        return f"{field}只能包含英文字母、数字、点、横线和下划线"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("' or '", "、").replace("', '", "、")
        if names and names[-1] == "na_total":
            expected = "、".join(f"{k}({label})" for k, label in NA_TOTAL_LABELS.items())
        return f"{field}应为{expected.strip(chr(39))}之一"
    if kind in ("bool_parsing", "bool_type"):
        return f"{field}应为是或否(true/false)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{field}应为键值对"
    if kind in ("tuple_type", "list_type"):
        return f"{field}应为列表"
    if kind in ("string_type",):
        return f"{field}应为文字"
    if kind == "decimal_max_places":
        return f"{field}最多保留{ctx.get('decimal_places')}位小数"
    return f"{field}的内容或格式不符合要求"  # pydantic's own text is English: never shown


def check(fw: Framework) -> Iterator[Issue]:
    """Every rule that needs more than one field."""
    yield from _check_codes(fw)
    yield from _check_tree(fw.indicators, ("indicators",), fw, parent=None)
    top = sum((i.points for i in fw.indicators), Decimal(0))
    if top != fw.total:
        yield Issue(
            ("total",), f"一级指标分值合计{_n(top)}分,与总分{_n(fw.total)}分不符", is_sum=True
        )
    if fw.bonus is not None:
        yield from _check_tree(fw.bonus.indicators, ("bonus", "indicators"), fw, parent=None)
        yield from _points(fw.bonus.cap, ("bonus", "cap"))
    yield from _check_refs(fw)
    yield from _check_negative(fw)
    yield from _check_bands(fw)
    yield from _check_components(fw)
    for i, stage in enumerate(fw.stages):
        if stage not in STAGES:
            yield Issue(("stages", i), f"未知的学段“{stage}”,可用:{'、'.join(STAGES)}")
    yield from _check_lists(fw)
    if not any(b.from_ == 0 for b in fw.measured_bands):
        yield Issue(("measured_bands",), "达标比例档次须包含从0%起的最低一档")
    for i, veto in enumerate(fw.vetoes):
        if veto.kind == "state" and veto.window_months is not None:
            yield Issue(
                ("vetoes", i, "window_months"),
                f"否决项{veto.code} 是状态(按评分日是否存在判断),不设回溯期",
            )
    if fw.negative_cap is not None:
        yield from _points(fw.negative_cap, ("negative_cap",))


def _check_lists(fw: Framework) -> Iterator[Issue]:
    # Excel keeps lists in one cell separated by 、, so an entry may not contain one.
    def bad(values: tuple[str, ...], loc: Loc) -> Iterator[Issue]:
        for i, value in enumerate(values):
            if "、" in value or "\n" in value:
                yield Issue((*loc, i), f"列表中的一项“{value}”不能包含顿号或换行(请拆成多项)")

    yield from bad(fw.unit_types, ("unit_types",))
    yield from bad(fw.stages, ("stages",))
    for nodes, loc in ((fw.indicators, ("indicators",)),) + (
        ((fw.bonus.indicators, ("bonus", "indicators")),) if fw.bonus else ()
    ):
        stack = [(n, (*loc, i)) for i, n in enumerate(nodes)]
        while stack:
            node, here = stack.pop()
            for name in ("methods", "evidence", "keywords", "unit_types", "stages"):
                yield from bad(getattr(node, name), (*here, name))
            stack.extend((c, (*here, "children", j)) for j, c in enumerate(node.children))


def _check_codes(fw: Framework) -> Iterator[Issue]:
    seen: dict[str, Loc] = {}
    for code, loc in _all_codes(fw):
        if code in seen:
            yield Issue(loc, f"编码“{code}”重复")
        else:
            seen[code] = loc


def _all_codes(fw: Framework) -> Iterator[tuple[str, Loc]]:
    yield from _tree_codes(fw.indicators, ("indicators",))
    if fw.bonus is not None:
        yield from _tree_codes(fw.bonus.indicators, ("bonus", "indicators"))
    for section in ("vetoes", "negative_list", "components", "quotas"):
        for i, entry in enumerate(getattr(fw, section)):
            yield entry.code, (section, i, "code")


def _tree_codes(nodes: tuple[Indicator, ...], loc: Loc) -> Iterator[tuple[str, Loc]]:
    for i, node in enumerate(nodes):
        yield node.code, (*loc, i, "code")
        yield from _tree_codes(node.children, (*loc, i, "children"))


def _check_tree(
    nodes: tuple[Indicator, ...], loc: Loc, fw: Framework, *, parent: Indicator | None
) -> Iterator[Issue]:
    for i, node in enumerate(nodes):
        here = (*loc, i)
        yield from _points(node.points, (*here, "points"))
        for j, method in enumerate(node.methods):
            if method not in METHODS:
                yield Issue(
                    (*here, "methods", j), f"未知的测评方法“{method}”,可用:{'、'.join(METHODS)}"
                )
        for j, rule in enumerate(node.evidence_rules):
            yield from _check_rule(node, rule, (*here, "evidence_rules", j))
        yield from _check_limits(node, here, fw)
        if node.children:
            if node.scoring is not None:
                yield Issue(
                    (*here, "scoring"), f"{node.code} 有下级指标,不能设评分方式(由下级合计)"
                )
            total = sum((c.points for c in node.children), Decimal(0))
            if total != node.points:
                yield Issue(
                    (*here, "points"),
                    f"{node.code} 的下级指标分值合计{_n(total)}分,与本项分值{_n(node.points)}分不符",
                    is_sum=True,
                )
            yield from _check_tree(node.children, (*here, "children"), fw, parent=node)
        else:
            yield from _check_style(node, (*here, "scoring"), fw)


def _check_limits(node: Indicator, here: Loc, fw: Framework) -> Iterator[Issue]:
    for j, kind in enumerate(node.unit_types):
        if kind not in fw.unit_types:
            yield Issue(
                (*here, "unit_types", j),
                f"{node.code} 的适用单位类型“{kind}”不在本框架的适用单位类型"
                f"({'、'.join(fw.unit_types)})之中",
            )
    allowed = fw.stages or STAGES
    for j, stage in enumerate(node.stages):
        if stage not in allowed:
            yield Issue(
                (*here, "stages", j),
                f"{node.code} 的适用学段“{stage}”不在可用学段({'、'.join(allowed)})之中",
            )
    if node.allow_na and node.children:
        yield Issue((*here, "allow_na"), f"{node.code} 有下级指标:只有末级指标可以设为可不适用")


RULE_NEEDS = {
    "photos": ("min", "至少几张照片"),
    "files": ("min", "至少几个附件"),
    "records": ("min", "至少几条记录"),
    "explanation": ("max_chars", "说明的字数上限"),
    "manual": ("text", "需人工确认的内容"),
}


def _check_rule(node: Indicator, rule: EvidenceRule, loc: Loc) -> Iterator[Issue]:
    field, label = RULE_NEEDS[rule.kind]
    if not getattr(rule, field):
        yield Issue(loc, f"{node.code} 的佐证规则({rule.kind})须填写{label}({field})")
    if rule.per is not None and rule.kind != "records":
        yield Issue(loc, f"{node.code} 的佐证规则:只有记录次数(records)可以按周期(per)统计")


def _check_style(node: Indicator, loc: Loc, fw: Framework) -> Iterator[Issue]:
    if node.scoring is None:
        yield Issue(loc, f"{node.code} 是末级指标,须设定评分方式")
        return
    spec = dict(node.scoring)
    key = spec.pop("style", None)
    if key not in REGISTRY:
        known = "、".join(f"{k}({cls.label})" for k, cls in REGISTRY.items())
        yield Issue((*loc, "style"), f"未知的评分方式“{key}”,可用:{known}")
        return
    cls = REGISTRY[key]
    try:
        params = cls.Params.model_validate(spec)
    except ValidationError as exc:
        yield from translate(exc, prefix=loc)
        return
    problems = cls.check(item=node, params=params, framework=fw)
    for problem in problems:
        yield Issue(loc, f"{node.code} {problem}")
    if not problems:
        try:  # compiling catches what only the style knows (e.g. points with three decimals)
            style = cls(item=node, params=params, framework=fw)
        except (PointsError, InputError) as exc:
            yield Issue(loc, f"{node.code} {exc}")
            return
        drift = rule_mismatch(style)
        if drift:
            yield Issue((*loc[:-1], "rule"), f"{node.code} {drift}")


def _check_refs(fw: Framework) -> Iterator[Issue]:
    codes = {node.code for node, _, _ in fw.walk()}
    for section, label in (("vetoes", "否决项"), ("negative_list", "负面清单")):
        for i, entry in enumerate(getattr(fw, section)):
            if entry.indicator is not None and entry.indicator not in codes:
                yield Issue(
                    (section, i, "indicator"),
                    f"{label}{entry.code} 指向的指标“{entry.indicator}”不存在",
                )


def _check_negative(fw: Framework) -> Iterator[Issue]:
    for i, entry in enumerate(fw.negative_list):
        if entry.effect is Effect.DEDUCT and not entry.points:
            yield Issue(
                ("negative_list", i, "points"), f"负面清单{entry.code} 为扣分项,须填写扣分分值"
            )
        if entry.effect is not Effect.DEDUCT and entry.points is not None:
            yield Issue(
                ("negative_list", i, "points"),
                f"负面清单{entry.code} 的处理方式为{entry.effect.label},不应填写扣分分值",
            )
        if entry.points is not None:
            yield from _points(entry.points, ("negative_list", i, "points"))
        if entry.max is not None:
            yield from _points(entry.max, ("negative_list", i, "max"))
            if entry.effect is not Effect.DEDUCT:
                yield Issue(
                    ("negative_list", i, "max"),
                    f"负面清单{entry.code} 的处理方式为{entry.effect.label},不应填写累计扣分上限",
                )


def _check_bands(fw: Framework) -> Iterator[Issue]:
    order = sorted(range(len(fw.bands)), key=lambda i: fw.bands[i].min)
    names = Counter(b.name for b in fw.bands)
    for i, band in enumerate(fw.bands):
        yield from _points(band.min, ("bands", i, "min"))
        if names[band.name] > 1:
            yield Issue(("bands", i, "name"), f"等级名称“{band.name}”重复")
        if band.max is not None and band.max <= band.min:
            yield Issue(("bands", i, "max"), f"等级“{band.name}”的上限应大于下限")
    lowest = fw.bands[order[0]]
    if lowest.min != 0:
        yield Issue(
            ("bands", order[0], "min"),
            f"最低等级“{lowest.name}”应从0分起,低于{_n(lowest.min)}分的得分没有等级",
        )
    for a, b in pairwise(order):
        low, high = fw.bands[a], fw.bands[b]
        if low.max is None:
            yield Issue(("bands", a, "max"), f"等级“{low.name}”不是最高档,须填写上限")
        elif low.max > high.min:
            yield Issue(
                ("bands", b, "min"),
                f"等级“{low.name}”与“{high.name}”重叠({_n(high.min)}–{_n(low.max)}分)",
            )
        elif low.max < high.min:
            yield Issue(
                ("bands", b, "min"),
                f"等级“{low.name}”与“{high.name}”之间有空档({_n(low.max)}–{_n(high.min)}分无等级)",
            )
    top = fw.bands[order[-1]]
    if top.max is not None:
        yield Issue(("bands", order[-1], "max"), f"最高等级“{top.name}”不应设上限")
    if fw.veto_grade is not None and fw.veto_grade not in names:
        yield Issue(("veto_grade",), f"否决后等级“{fw.veto_grade}”不是已定义的等级")


def _check_components(fw: Framework) -> Iterator[Issue]:
    weight = sum((c.weight for c in fw.components), Decimal(0))
    if fw.components and weight >= 100:
        yield Issue(("components",), f"分项权重合计{_n(weight)}%,应小于100%")
    for i, comp in enumerate(fw.components):
        if comp.threshold > comp.points:
            yield Issue((("components", i, "threshold")), f"分项{comp.code} 的门槛分高于其满分")
        yield from _points(comp.points, ("components", i, "points"))
        yield from _points(comp.threshold, ("components", i, "threshold"))


def _points(value: Decimal, loc: Loc) -> Iterator[Issue]:
    try:
        to_centi(value)
    except PointsError as exc:
        yield Issue(loc, str(exc))


def _n(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
