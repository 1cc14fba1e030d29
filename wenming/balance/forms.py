"""The parameters of the balanced-development pages."""

from __future__ import annotations

from typing import TypedDict

from django import forms
from django.http import QueryDict

from wenming.balance.models import BalanceLevel, Stage
from wenming.core.balance import QUALITY_INDICATORS
from wenming.web.params import IdField


class RegionYearParams(forms.Form):
    region = IdField(label="地区")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


class StandardsInput(TypedDict):
    thresholds: dict[tuple[str, str], str]
    standards: dict[tuple[str, str], tuple[str, str]]
    rules: dict[str, tuple[str, str]]


def _typed(post: QueryDict, key: str) -> str:
    value = post.get(key, "")
    return value if isinstance(value, str) else ""


def standards_from_post(post: QueryDict) -> StandardsInput:
    """The typed values of the thresholds page, by the names its inputs carry; the service
    checks each and names the field it refuses. Inputs the page did not send stay as they are."""
    thresholds = {
        (stage, level): _typed(post, f"{level}-{stage}")
        for stage in Stage.values
        for level in BalanceLevel.values
        if f"{level}-{stage}" in post
    }
    standards = {
        (stage, code): (_typed(post, f"min-{stage}-{code}"), _typed(post, f"cv-{stage}-{code}"))
        for stage in Stage.values
        for code, _ in QUALITY_INDICATORS
        if f"min-{stage}-{code}" in post and f"cv-{stage}-{code}" in post
    }
    rules = {
        stage: (_typed(post, f"met-{stage}"), _typed(post, f"floor-{stage}"))
        for stage in Stage.values
        if f"met-{stage}" in post and f"floor-{stage}" in post
    }
    return {"thresholds": thresholds, "standards": standards, "rules": rules}
