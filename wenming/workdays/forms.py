"""The parameters of the holiday calendar."""

from __future__ import annotations

from django import forms


class DayForm(forms.Form):
    day = forms.DateField(label="日期")
    remove = forms.CharField(label="删除", required=False, max_length=10)
    is_workday = forms.CharField(label="是否调休上班", required=False, max_length=1)
    name = forms.CharField(label="名称", required=False, max_length=40)


class YearParam(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=1900, max_value=2200)
