from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from wenming.accounts.models import Role
from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.api.models import TokenKind
from wenming.api.tokens import AREAS, MAX_DAYS
from wenming.organizations.models import RegionLevel

MODES = [("", "无"), ("read", "只读"), ("write", "读写")]


class TokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=TokenKind.choices, initial=TokenKind.PERSONAL)
    days = forms.IntegerField(label="有效期(天)", min_value=1, max_value=MAX_DAYS, initial=90)
    region = forms.TypedChoiceField(
        label="服务令牌的地区", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in AREAS.items():
            self.fields[f"area_{area}"] = forms.ChoiceField(
                label=label, choices=MODES, required=False
            )
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.TypedChoiceField)
        if scope_for(user).has(Role.OFFICE):
            regions = regions_visible_to(user).filter(level__lte=RegionLevel.TOWNSHIP)
            region_field.choices = [("", "请选择")] + [
                (pk, name) for pk, name in regions.order_by("path").values_list("pk", "name")[:500]
            ]
        else:
            del self.fields["region"]
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [(TokenKind.PERSONAL, TokenKind.PERSONAL.label)]

    def area_fields(self) -> list[forms.BoundField]:
        return [self[f"area_{area}"] for area in AREAS]

    def scopes(self) -> list[str]:
        return [
            f"{area}:{self.cleaned_data[f'area_{area}']}"
            for area in AREAS
            if self.cleaned_data.get(f"area_{area}")
        ]
