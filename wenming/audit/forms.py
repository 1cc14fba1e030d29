"""The filters of the audit browse page."""

from __future__ import annotations

from django import forms


class AuditFilters(forms.Form):
    action = forms.CharField(label="操作", required=False, max_length=60)
    type = forms.CharField(label="对象类型", required=False, max_length=60)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    date_from = forms.DateField(label="起始日期", required=False)
    date_to = forms.DateField(label="截止日期", required=False)

    def __init__(self, data: object) -> None:
        # the query string says from/to, which are Python keywords as field names
        query = data.copy() if hasattr(data, "copy") else dict(data)  # type: ignore[call-overload]
        for key, field in (("from", "date_from"), ("to", "date_to")):
            if key in query:
                query[field] = query.get(key)
        super().__init__(query)
