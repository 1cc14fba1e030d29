"""The office's forms and the pages' parameters (each field bounded by its column)."""

from __future__ import annotations

from django import forms

from wenming.surveys.models import Audience, Kind
from wenming.web.params import IdField


class CreateForm(forms.Form):
    campaign = IdField(label="创建活动", required=True)
    title = forms.CharField(label="问卷名称", max_length=100)
    audience = forms.ChoiceField(label="对象", choices=Audience.choices)


class OpForm(forms.Form):
    op = forms.ChoiceField(
        label="操作",
        choices=[
            (c, c)
            for c in (
                "open",
                "close",
                "new_version",
                "settings",
                "section",
                "question",
                "remove",
                "mapping",
                "unmap",
                "target",
                "quota",
                "tokens",
                "exclude",
                "include",
                "figure",
                "export",
            )
        ],
    )


class SettingsForm(forms.Form):
    intro = forms.CharField(label="说明", max_length=1000, required=False)
    min_seconds = forms.IntegerField(label="最短合理作答时间", min_value=0, max_value=3600)
    device_limit = forms.IntegerField(label="每台设备限答次数", min_value=0, max_value=100)
    open_link = forms.BooleanField(label="开放链接作答", required=False)


class SectionForm(forms.Form):
    title = forms.CharField(label="部分标题", max_length=100)


class QuestionForm(forms.Form):
    section = IdField(label="部分", required=True)
    key = forms.CharField(label="题号", max_length=10)
    text = forms.CharField(label="题目", max_length=300)
    kind = forms.ChoiceField(label="题型", choices=Kind.choices)
    options = forms.CharField(label="选项", max_length=2000, required=False)
    weights = forms.CharField(label="计分规则", max_length=2000, required=False)
    required = forms.BooleanField(label="必答", required=False)
    show_if_key = forms.CharField(label="显示条件题号", max_length=10, required=False)
    show_if_values = forms.CharField(label="显示条件选项", max_length=500, required=False)


class RowForm(forms.Form):
    row = IdField(label="行", required=True)


class MappingForm(forms.Form):
    code = forms.CharField(label="指标编码", max_length=40)
    keys = forms.CharField(label="计入题号", max_length=500)


class TargetForm(forms.Form):
    unit = IdField(label="单位")
    region = IdField(label="地区")
    quota = forms.IntegerField(label="样本量", min_value=1, max_value=100_000)


class QuotaForm(forms.Form):
    row = IdField(label="调查对象", required=True)
    quota = forms.IntegerField(label="样本量", min_value=1, max_value=100_000)


class TokensForm(forms.Form):
    row = IdField(label="调查对象", required=True)
    count = forms.IntegerField(label="数量", min_value=1, max_value=2000)
    per_page = forms.TypedChoiceField(
        label="每页个数", choices=[(6, 6), (12, 12), (20, 20)], coerce=int
    )


class ExcludeForm(forms.Form):
    row = IdField(label="答卷", required=True)
    reason = forms.CharField(label="理由", max_length=200, required=False)


class FigureForm(forms.Form):
    mapping = IdField(label="指标对应", required=True)
    row = IdField(label="调查对象", required=True)


class ResultsParams(forms.Form):
    version = IdField(label="版本")
    excluded = forms.ChoiceField(
        label="统计口径", choices=[("", "剔除后"), ("1", "含剔除")], required=False
    )


class QualityParams(forms.Form):
    version = IdField(label="版本")
    show = forms.ChoiceField(
        label="显示",
        choices=[("", "有质量提示"), ("all", "全部"), ("excluded", "已剔除")],
        required=False,
    )
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=100_000)


class AnswerParams(forms.Form):
    t = forms.CharField(label="二维码", max_length=16, required=False)
    target = IdField(label="调查对象")
