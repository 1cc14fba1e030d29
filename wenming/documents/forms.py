"""The parameters of the document pages."""

from __future__ import annotations

from django import forms

from wenming.web.params import MAX_ID, IdField, IdListField


class UnitEditionParams(forms.Form):
    unit = IdField(label="单位")
    edition = IdField(label="测评体系")


class SectionParams(forms.Form):
    text = forms.CharField(label="段落内容", required=False, strip=False, max_length=200_000)
    version = forms.IntegerField(label="版本号", required=False, min_value=0, max_value=MAX_ID)


class BatchParams(forms.Form):
    edition = IdField(label="测评体系")
    units = IdListField(label="单位")


class BulletinParams(forms.Form):
    number = forms.CharField(label="发文字号", required=False, max_length=40)
    day = forms.DateField(label="成文日期", required=False)


class CampaignBatchParams(forms.Form):
    kind = forms.CharField(label="文书种类", required=False, max_length=20)
    issuer = forms.CharField(label="颁发机关", required=False, max_length=60)


class RegenerateParams(forms.Form):
    replace = IdListField(label="用新草稿替换的部分")
    seen = forms.CharField(label="确认时的版本", required=False, max_length=200)
