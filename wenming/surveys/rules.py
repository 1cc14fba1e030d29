"""Checking a question as the office writes it (builder page and .xlsx import alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from wenming.surveys.models import (
    CHOICE_KINDS,
    RATING_OPTIONS,
    RATING_WEIGHTS,
    SATISFACTION_OPTIONS,
    SATISFACTION_WEIGHTS,
    Kind,
)

KEY_RE = re.compile(r"^[A-Za-z]{0,3}\d{1,4}(?:\.\d{1,3})?$")
MAX_OPTIONS = 20
MAX_OPTION_CHARS = 100
MAX_QUESTIONS = 200
KIND_BY_LABEL = {
    "单选": Kind.SINGLE,
    "多选": Kind.MULTIPLE,
    "满意度": Kind.SATISFACTION,
    "评分": Kind.RATING,
    "数字": Kind.NUMBER,
    "简答": Kind.TEXT,
}
LABEL_BY_KIND: dict[str, str] = {str(v): k for k, v in KIND_BY_LABEL.items()}


@dataclass
class QuestionSpec:
    key: str
    text: str
    kind: str
    options: list[str] = field(default_factory=list)
    weights: dict[str, str] = field(default_factory=dict)
    required: bool = True
    show_if_key: str = ""
    show_if_values: list[str] = field(default_factory=list)


def split_list(raw: str) -> list[str]:
    """Options as offices write them: separated by | or 、 or ; or line breaks."""
    parts = re.split(r"[|、;;\n]", raw or "")
    return [p.strip() for p in parts if p.strip()]


def parse_weights(raw: str) -> dict[str, str]:
    """满意=1、基本满意=0.8、不满意=0 → {option: share}; ValueError (Chinese) when bad."""
    out: dict[str, str] = {}
    for part in split_list(raw):
        option, sep, value = part.partition("=")
        if not sep:
            option, sep, value = part.partition("=")
        if not sep or not option.strip():
            raise ValueError(f"计分规则“{part}”应写成“选项=分值”")
        try:
            share = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"计分规则“{part}”的分值不是数字") from None
        if not Decimal(0) <= share <= Decimal(1):
            raise ValueError(f"计分规则“{part}”的分值应在0到1之间")
        out[option.strip()] = format(share.normalize(), "f")
    return out


def weights_text(weights: dict[str, str]) -> str:
    return "、".join(f"{k}={v}" for k, v in weights.items())


def check_question(spec: QuestionSpec, earlier: dict[str, QuestionSpec]) -> list[tuple[str, str]]:
    """Problems as (field, Chinese message); fills fixed options and default weights."""
    errors: list[tuple[str, str]] = []
    if not KEY_RE.match(spec.key):
        errors.append(("key", f"题号“{spec.key[:20]}”应为 Q1、A2、3.1 这样的编号"))
    elif spec.key in earlier:
        errors.append(("key", f"题号“{spec.key}”重复"))
    if not spec.text.strip():
        errors.append(("text", "题目不能为空"))
    elif len(spec.text) > 300:
        errors.append(("text", "题目不能超过300字"))
    if spec.kind not in Kind.values:
        errors.append(("kind", "题型应为单选、多选、满意度、评分、数字或简答"))
        return errors
    if spec.kind == Kind.SATISFACTION:
        spec.options = list(SATISFACTION_OPTIONS)
        spec.weights = spec.weights or dict(SATISFACTION_WEIGHTS)
    elif spec.kind == Kind.RATING:
        spec.options = list(RATING_OPTIONS)
        spec.weights = spec.weights or dict(RATING_WEIGHTS)
    elif spec.kind in (Kind.SINGLE, Kind.MULTIPLE):
        if len(spec.options) < 2:
            errors.append(("options", "单选、多选题至少要有两个选项"))
        if len(spec.options) > MAX_OPTIONS:
            errors.append(("options", f"选项不能超过{MAX_OPTIONS}个"))
        if any(len(o) > MAX_OPTION_CHARS for o in spec.options):
            errors.append(("options", f"每个选项不能超过{MAX_OPTION_CHARS}字"))
        if len(set(spec.options)) != len(spec.options):
            errors.append(("options", "选项有重复"))
    else:
        spec.options, spec.weights = [], {}
    unknown = [k for k in spec.weights if k not in spec.options]
    if unknown:
        errors.append(("weights", f"计分规则中的“{'、'.join(unknown)}”不是本题选项"))
    if spec.show_if_key:
        source = earlier.get(spec.show_if_key)
        if source is None:
            errors.append(("show_if_key", f"显示条件的题号“{spec.show_if_key}”不是前面的题"))
        elif source.kind not in CHOICE_KINDS:
            errors.append(("show_if_key", f"显示条件只能依据前面的选择题,{source.key}不是"))
        elif not spec.show_if_values:
            errors.append(("show_if_values", "请填写显示条件的选项"))
        else:
            bad = [v for v in spec.show_if_values if v not in source.options]
            if bad:
                errors.append(("show_if_values", f"“{'、'.join(bad)}”不是第{source.key}题的选项"))
    elif spec.show_if_values:
        errors.append(("show_if_key", "填写了显示条件的选项,但未填写依据的题号"))
    return errors
