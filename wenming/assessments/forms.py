"""The parameters of the self-assessment pages."""

from __future__ import annotations

from django import forms

from wenming.web.params import MAX_ID, IdField


class StartParams(forms.Form):
    unit = IdField(label="单位", required=True)
    edition = IdField(label="测评体系", required=True)


class EntryParams(forms.Form):
    """One entry as typed (the service checks the value against the item)."""

    value = forms.CharField(label="得分", required=False, strip=False, max_length=100)
    reason = forms.CharField(label="扣分理由", required=False, strip=False, max_length=5000)
    note = forms.CharField(label="说明", required=False, strip=False, max_length=5000)
    event_date = forms.DateField(label="事件日期", required=False)
    version = forms.IntegerField(label="版本号", required=False, min_value=0, max_value=MAX_ID)


class ReturnParams(forms.Form):
    reason = forms.CharField(label="退回理由", required=False, max_length=20_000)
