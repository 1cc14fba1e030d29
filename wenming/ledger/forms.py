"""The parameters of the ledger pages (the record form, the evidence page's actions)."""

from __future__ import annotations

from django import forms

from wenming.web.params import MAX_ID, IdField


class EditionParam(forms.Form):
    edition = IdField(label="测评体系")


class ListParams(forms.Form):
    type = IdField(label="活动类型")
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


class ActivityForm(forms.Form):
    """One activity record as typed; the service checks the rest."""

    activity_type = IdField(label="活动类型", required=True)
    day = forms.DateField(label="日期")
    title = forms.CharField(label="标题", required=False, max_length=200)
    place = forms.CharField(label="地点", required=False, max_length=200)
    department = IdField(label="部门")
    participants = forms.IntegerField(
        label="参加人数", required=False, min_value=0, max_value=1_000_000
    )
    participant_names = forms.CharField(label="参加人员", required=False, max_length=20_000)
    description = forms.CharField(label="内容", required=False, max_length=50_000)


class EvidenceParams(forms.Form):
    """An explanation for an indicator, or a person's confirmation of one evidence rule."""

    code = forms.CharField(label="指标", max_length=40)
    explanation = forms.CharField(label="说明", required=False, max_length=2000)
    rule = forms.IntegerField(label="佐证规则", required=False, min_value=0, max_value=1000)
    confirmed = forms.ChoiceField(
        label="确认", required=False, choices=[("", ""), ("0", "否"), ("1", "是")]
    )

    def clean_explanation(self) -> str | None:
        # absent (a confirmation) is not the same as emptied (an explanation removed)
        return self.cleaned_data["explanation"] if "explanation" in self.data else None
