from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from wenming.accounts.scope import regions_visible_to
from wenming.organizations.models import RegionLevel
from wenming.webhooks.models import Event
from wenming.webhooks.sending import HOST_REFUSED, host_allowed


class SubscriptionForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    url = forms.URLField(label="接收地址", max_length=500, assume_scheme="https")
    region = forms.TypedChoiceField(label="地区(含下级)", coerce=int)
    events = forms.MultipleChoiceField(
        label="事件", choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = regions_visible_to(user).filter(level__lte=RegionLevel.TOWNSHIP)
        field = self.fields["region"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = list(regions.order_by("path").values_list("pk", "name")[:500])

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if not host_allowed(url):
            raise forms.ValidationError(HOST_REFUSED)
        return url
