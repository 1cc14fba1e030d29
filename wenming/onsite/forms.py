"""The parameters of the office's on-site page and the reconciliation sheet."""

from __future__ import annotations

from django import forms

from wenming.web.params import IdField, IdListField


class CampaignActionParams(forms.Form):
    """Every field any action may carry; each action reads its own."""

    action = forms.CharField(label="操作", required=False, max_length=20)
    rule = forms.CharField(label="合议规则", required=False, max_length=10)
    exclude_own_township = forms.CharField(label="回避本乡镇", required=False, max_length=1)
    spread_percent = forms.IntegerField(
        label="分差预警(%)", required=False, min_value=0, max_value=100
    )
    user = IdField(label="账号")
    region = IdField(label="地区")
    home_unit = forms.CharField(label="所在单位", required=False, max_length=18)
    name = forms.CharField(label="名称", required=False, max_length=50)
    specialties = forms.CharField(label="专业特长", required=False, max_length=200)
    leader = IdField(label="组长")
    members = IdListField(label="组员")
    team = IdField(label="测评组")
    application = IdField(label="申报")


class SheetActionParams(forms.Form):
    code = forms.CharField(label="评分项", required=False, max_length=40)
    value = forms.CharField(label="裁定分", required=False, max_length=60)
    reason = forms.CharField(label="理由", required=False, max_length=500)


class PhotoParams(forms.Form):
    code = forms.CharField(label="评分项", required=False, max_length=40)
    client_id = forms.CharField(label="照片编号", required=False, max_length=100)
