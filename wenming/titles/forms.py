"""The parameters of the title pages."""

from __future__ import annotations

from django import forms

from wenming.web.params import MAX_ID, IdField


class ListParams(forms.Form):
    show = forms.CharField(label="范围", required=False, max_length=20)
    kind = forms.CharField(label="创建类型", required=False, max_length=80)
    level = forms.CharField(label="级别", required=False, max_length=10)
    year = forms.IntegerField(label="年度", required=False, min_value=1900, max_value=2200)
    region = IdField(label="地区")
    q = forms.CharField(label="单位名称", required=False, max_length=200)
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


class TitleActionForm(forms.Form):
    action = forms.CharField(label="操作", required=False, max_length=20)
    reason = forms.CharField(label="理由", required=False, max_length=20_000)
    deadline = forms.DateField(label="整改期限", required=False)
    score = forms.DecimalField(
        label="复查得分", required=False, min_value=0, max_value=100_000, decimal_places=2
    )
    outcome = forms.CharField(label="复查结论", required=False, max_length=10)


class HolderEventForm(forms.Form):
    event = forms.RegexField(label="事项", regex=r"^\d{1,18}:.{1,40}$")
    day = forms.DateField(label="事项日期")
    description = forms.CharField(label="情况说明", required=False, max_length=20_000)
