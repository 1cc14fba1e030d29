from __future__ import annotations

from django import forms

from wenming.review.models import Decision
from wenming.review.services import MAX_REASON
from wenming.web.params import IdField


class VerdictForm(forms.Form):
    decision = forms.ChoiceField(label="审查结论", choices=Decision.choices)
    reason = forms.CharField(label="理由", max_length=MAX_REASON, required=False)
    version = forms.IntegerField(label="版本", min_value=0, max_value=2**31 - 1)


class LibraryRemoveForm(forms.Form):
    text = IdField(label="范文", required=True)


class ReportFileRemoveForm(forms.Form):
    text = IdField(label="汇报材料", required=True)
