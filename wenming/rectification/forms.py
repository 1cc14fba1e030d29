"""The parameters of the rectification pages, bounded like the columns they fill."""

from __future__ import annotations

from django import forms

from wenming.web.params import MAX_ID, IdField, IdListField

TEXT = 20_000  # free text (descriptions, comments, measures)


class ListParams(forms.Form):
    state = forms.CharField(label="状态", required=False, max_length=20)
    unit = IdField(label="单位")
    source = forms.CharField(label="来源", required=False, max_length=20)
    overdue = forms.CharField(label="逾期", required=False, max_length=1)
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


class ProblemForm(forms.Form):
    unit = IdField(label="单位", required=True)
    source = forms.CharField(label="来源", required=False, max_length=20)
    severity = forms.CharField(label="严重程度", required=False, max_length=10)
    title = forms.CharField(label="问题", required=False, max_length=200)
    description = forms.CharField(label="问题描述", required=False, max_length=TEXT)
    location = forms.CharField(label="地点/点位", required=False, max_length=200)
    complainant = forms.CharField(label="投诉人及联系方式", required=False, max_length=100)
    indicator_code = forms.CharField(label="指标编码", required=False, max_length=40)
    deadline = forms.DateField(label="整改期限", required=False)
    found_on = forms.DateField(label="发现日期", required=False)


class ActParams(forms.Form):
    """Every field any step may carry; each step reads its own."""

    comment = forms.CharField(label="意见", required=False, max_length=TEXT)
    responsible = IdField(label="责任人")
    deadline = forms.DateField(label="整改期限", required=False)
    fix = forms.CharField(label="整改情况", required=False, max_length=TEXT)
    measures = forms.CharField(label="整改措施", required=False, max_length=TEXT)
    reason = forms.CharField(label="退回理由", required=False, max_length=TEXT)
    reached = forms.CharField(label="是否联系上", required=False, max_length=1)
    satisfied = forms.CharField(label="是否满意", required=False, max_length=1)
    title = forms.CharField(label="问题", required=False, max_length=200)
    description = forms.CharField(label="问题描述", required=False, max_length=TEXT)
    severity = forms.CharField(label="严重程度", required=False, max_length=10)


class OverviewParams(forms.Form):
    start = forms.RegexField(label="起始月份", required=False, regex=r"^\d{4}-\d{1,2}$")
    end = forms.RegexField(label="截止月份", required=False, regex=r"^\d{4}-\d{1,2}$")
    region = IdField(label="地区")
    level = forms.IntegerField(label="统计层级", required=False, min_value=0, max_value=10)
    sort = forms.CharField(label="排序", required=False, max_length=40)
    bulletin = forms.CharField(label="通报", required=False, max_length=1)


class NoticeForm(forms.Form):
    problem = IdField(label="问题", required=True)
    problems = IdListField(label="一并督办的问题")
    reply_due = forms.DateField(label="回复期限", required=False)
    title = forms.CharField(label="督办事项", required=False, max_length=200)
    body = forms.CharField(label="督办内容", required=False, max_length=TEXT)


class PageParam(forms.Form):
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)
