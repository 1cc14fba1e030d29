from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from wenming.accounts.services import (
    THROTTLED,
    login_failure_record,
    login_failures_clear,
    login_throttled,
)


class ThrottledLoginForm(AuthenticationForm):
    """Refuses further attempts after repeated failures for a user name or an address."""

    error_messages = {
        "invalid_login": "用户名或密码不正确,请重新输入。",
        "inactive": "该账号已停用。",
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        if login_throttled(username=username, address=address):
            raise forms.ValidationError(THROTTLED, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_failures_clear(username=username)
        return cleaned
