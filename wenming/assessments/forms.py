"""The parameters of the self-assessment pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from wenming.assessments.inputs import COUNT_STYLES, counts_text
from wenming.core.styles import NA_TEXT, InputError, ScoringStyle
from wenming.core.styles.counts import MAX_COUNT
from wenming.web.params import MAX_ID, IdField, errors_text


class StartParams(forms.Form):
    unit = IdField(label="单位", required=True)
    edition = IdField(label="测评体系", required=True)


class EntryParams(forms.Form):
    """One entry as typed (the service checks the value against the item)."""

    value = forms.CharField(label="得分", required=False, strip=False, max_length=100)
    na = forms.BooleanField(label="不适用", required=False)
    reason = forms.CharField(label="扣分理由", required=False, strip=False, max_length=5000)
    note = forms.CharField(label="说明", required=False, strip=False, max_length=5000)
    event_date = forms.DateField(label="事件日期", required=False)
    until = forms.DateField(label="消除日期", required=False)
    version = forms.IntegerField(label="版本号", required=False, min_value=0, max_value=MAX_ID)


class CountsParams(forms.Form):
    """The count of each kind of finding (or level of award), posted as count_0, count_1 …
    in the order the framework lists them; each field is labelled with its kind."""

    def __init__(self, data: QueryDict, *, names: tuple[str, ...]) -> None:
        super().__init__(data)
        for position, name in enumerate(names):
            self.fields[f"count_{position}"] = forms.IntegerField(
                label=name, required=False, min_value=0, max_value=MAX_COUNT
            )


def entry_value(style: ScoringStyle | None, data: QueryDict, typed: dict[str, Any]) -> str:
    """The entry text from what the item's inputs posted: 不适用, counts per kind, or the value.

    Raises InputError (Chinese, naming the kind) for a count that is not a whole number ≥ 0.
    """
    if typed["na"]:
        return NA_TEXT
    value: str = typed["value"]
    if style is None or style.key not in COUNT_STYLES or value.strip():
        return value  # a count item may still be sent as text ("缺项1、不规范2"), as in a file
    names: tuple[str, ...] = getattr(style, "names", ())
    if not any(f"count_{i}" in data for i in range(len(names))):
        return value
    counts = CountsParams(data, names=names)
    if not counts.is_valid():
        raise InputError(errors_text(counts))
    return counts_text(style, [counts.cleaned_data[f"count_{i}"] for i in range(len(names))])


class ReturnParams(forms.Form):
    reason = forms.CharField(label="退回理由", required=False, max_length=20_000)
