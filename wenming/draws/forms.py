"""The parameters of the draw page (the shares per stratum are read by share_parse)."""

from __future__ import annotations

from django import forms

from wenming.web.params import IdField

MIN_INVALID = "每个地区最少抽取数须为0到99之间的整数"


class DrawParams(forms.Form):
    min_per_district = forms.IntegerField(
        label="每个地区最少抽取数",
        required=False,
        min_value=0,
        max_value=99,
        error_messages={k: MIN_INVALID for k in ("invalid", "min_value", "max_value")},
    )
    reason = forms.CharField(label="重抽原因", required=False, max_length=2000)


class SeenParam(forms.Form):
    """The draw the page showed (a redraw must name it; anything else is no draw)."""

    seen = IdField(label="所见抽签记录")
