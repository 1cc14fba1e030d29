from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from wenming.accounts.models import AddressAllowance, Directory, Role
from wenming.accounts.throttle import (
    THROTTLED,
    address_usage,
    client_address,
    login_attempt_reserve,
    login_failed,
    login_succeeded,
    wait_text,
)
from wenming.organizations.models import Region, Unit


class ThrottledLoginForm(AuthenticationForm):
    """Counts the attempt before checking the password; delays, never locks (see throttle.py)."""

    error_messages = {
        "invalid_login": "用户名或密码不正确,请重新输入。",
        "inactive": "该账号已停用。",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_address(self.request)
        wait = login_attempt_reserve(username=username, address=address)
        if wait:
            raise forms.ValidationError(THROTTLED.format(wait=wait_text(wait)), code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.request is not None:
                address_usage(self.request, group="login", count=True)
            login_failed(username=username, address=address, user=self.user_cache)
            raise
        login_succeeded(user=self.get_user(), username=username, address=address)
        return cleaned


if TYPE_CHECKING:  # the stubs' ModelForm is generic; Django's own class takes no parameter
    _AllowanceModelForm = forms.ModelForm[AddressAllowance]
else:
    _AllowanceModelForm = forms.ModelForm


class AddressAllowanceForm(_AllowanceModelForm):
    class Meta:
        model = AddressAllowance
        fields = ["network", "login_failures_per_hour", "posts_per_hour", "note"]
        help_texts = {"network": "单个地址(如 10.1.2.3)或网段(如 10.1.0.0/16)"}

    def clean_network(self) -> str:
        value = self.cleaned_data["network"].strip()
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise forms.ValidationError(
                "请填写正确的地址或网段,如 10.1.2.3 或 10.1.0.0/16"
            ) from None
        if network.prefixlen < (8 if network.version == 4 else 32):
            raise forms.ValidationError("网段过大:IPv4 至少 /8,IPv6 至少 /32")
        return str(network)

    def clean_login_failures_per_hour(self) -> int:
        return self._bounded("login_failures_per_hour")

    def clean_posts_per_hour(self) -> int:
        return self._bounded("posts_per_hour")

    def _bounded(self, field: str) -> int:
        value: int = self.cleaned_data[field]
        if not 1 <= value <= 100_000:
            raise forms.ValidationError("请填写 1 至 100000 之间的整数")
        return value


class DirectoryRuleForm(forms.Form):
    """A mapping rule as the administrator types it: the scope by region code or credit code."""

    source = forms.ChoiceField(label="来源", choices=Directory.choices)
    value = forms.CharField(
        label="目录组或声明值",
        max_length=255,
        help_text="LDAP/AD:组名(如 wenming-office)或组的完整 DN;"
        "统一身份认证:声明中的值(如 groups 中的 wenming-office)",
    )
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色"), *Role.choices])
    scope_code = forms.CharField(
        label="范围代码",
        max_length=18,
        required=False,
        help_text="测评办公室人员填地区的行政区划代码;单位负责人、单位管理员、单位填报员、"
        "主管部门审核人填单位的统一社会信用代码;系统管理员、测评专家不填",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        code = (cleaned.get("scope_code") or "").strip()
        cleaned["region"] = cleaned["unit"] = None
        if role == Role.OFFICE:
            region = Region.objects.filter(code=code).first() if code else None
            if region is None:
                self.add_error("scope_code", "请填写已有地区的行政区划代码")
            cleaned["region"] = region
        elif role in (Role.UNIT_HEAD, Role.UNIT_ADMIN, Role.UNIT_FILLER, Role.SUPERVISOR):
            unit = Unit.objects.filter(credit_code=code.upper()).first() if code else None
            if unit is None:
                self.add_error("scope_code", "请填写已有单位的统一社会信用代码")
            cleaned["unit"] = unit
        elif code:
            self.add_error("scope_code", "系统管理员、测评专家不需要填写范围代码")
        return cleaned
