"""The parameters of the balanced-development pages."""

from __future__ import annotations

from django import forms

from wenming.web.params import IdField


class RegionYearParams(forms.Form):
    region = IdField(label="地区")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
