"""Request parameters checked with a Django form: bad values answer 400 with Chinese errors.

    f = params(request.GET, UnitFilter)     # cleaned_data, or BadRequest → the 400 page

Views never call int() or date parsing on request data themselves; a form per view (or one of
the small ones below) says what each parameter may be.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# database ids are 64-bit; a larger number is not an id (and would overflow the query)
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """The id of a row, optional unless told: a positive 64-bit integer."""

    def __init__(self, *, label: str, required: bool = False) -> None:
        super().__init__(label=label, required=required, min_value=1, max_value=MAX_ID)


def id_or_none(raw: object) -> int | None:
    """A row id from one loose value (an import's context), or None when it is not one."""
    try:
        value = IdField(label="编号").clean(raw)
    except forms.ValidationError:
        return None
    return int(value) if value is not None else None


class IdListField(forms.TypedMultipleChoiceField):
    """Several row ids (checkboxes)."""

    def __init__(self, *, label: str) -> None:
        super().__init__(label=label, required=False, coerce=int)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and 0 < int(value) <= MAX_ID


def params(data: QueryDict, form_class: type[forms.Form]) -> dict[str, Any]:
    """``data`` checked by ``form_class``; BadRequest naming each wrong field otherwise."""
    form = form_class(data)
    if not form.is_valid():
        raise BadRequest(errors_text(form))
    return form.cleaned_data


def errors_text(form: forms.Form) -> str:
    """“单位:请输入整数。” for each wrong field, in form order."""
    parts = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label or "") if name in form.fields else ""
        text = "".join(str(e) for e in errors)
        parts.append(f"{label}:{text}" if label and not text.startswith(label) else text)
    return ";".join(parts)


class UnitParam(forms.Form):
    unit = IdField(label="单位")


class VersionParam(forms.Form):
    version = forms.IntegerField(label="版本号", min_value=0, max_value=MAX_ID, required=False)


class PageParam(forms.Form):
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=MAX_ID)


def next_url(request: HttpRequest, default: str) -> str:
    """Where a form says to go back to (``next``), if it is a page of this site."""
    target = request.POST.get("next", "")
    if target and _on_this_site(request, target):
        return target
    return resolve_url(default)


def came_from(request: HttpRequest) -> str:
    """The page of this site the person came from (path and query of the Referer; after a
    form's POST and redirect that is the form's page), or "" — for a link back."""
    referer = str(request.META.get("HTTP_REFERER", ""))[:2000]
    if not referer or not _on_this_site(request, referer):
        return ""
    parts = urlsplit(referer)
    if parts.path == request.path or not parts.path.startswith("/"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _on_this_site(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
