"""Editions map (版本对应关系): an office confirms how last year's framework edition continues in
the new one — the proposal as it stands or as edited in its workbook — and a unit carries its
evidence links (and, where the office allows it, its self-assessment entries) across, with a
report of what could not be carried. Top row: it gathers frameworks, ledger and assessments."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, unit_get_for_user, units_visible_to
from wenming.assessments.carry import entries_carry
from wenming.core.errors import ActionRefused, FileInvalid
from wenming.core.mapping import (
    HEADER,
    CarryReport,
    MapRow,
    mapping_from_xlsx,
    mapping_table,
    mapping_to_xlsx,
    propose_mapping,
)
from wenming.frameworks.mappings import (
    edition_mapping_confirm,
    edition_mapping_get,
    edition_mapping_rows,
)
from wenming.frameworks.models import EditionMapping, FrameworkEdition
from wenming.frameworks.selectors import framework_of
from wenming.ledger.carry import ledger_carry
from wenming.organizations.models import Unit
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import IdField, params

MAPPING_FILE_MAX = 2 * 1024 * 1024


class EditionsParams(forms.Form):
    old = IdField(label="原版本")
    new = IdField(label="新版本")


class ConfirmParams(forms.Form):
    carry_entries = forms.BooleanField(label="允许沿用自评填报", required=False)


def unit_carry(*, actor: User, unit: Unit, mapping: EditionMapping) -> CarryReport:
    """Carry a unit's evidence links and (when allowed) its entries through ``mapping``."""
    report = CarryReport()
    with transaction.atomic():
        report.add(ledger_carry(actor=actor, unit=unit, mapping=mapping))
        if mapping.carry_entries:
            report.add(entries_carry(actor=actor, unit=unit, mapping=mapping)[1])
    return report


def _editions(request: HttpRequest) -> tuple[FrameworkEdition | None, FrameworkEdition | None]:
    chosen = params(request.GET, EditionsParams)
    found = FrameworkEdition.objects.defer("source").in_bulk(
        [pk for pk in (chosen["old"], chosen["new"]) if pk]
    )
    return found.get(chosen["old"] or 0), found.get(chosen["new"] or 0)


def _is_office(user: User) -> bool:
    scope = scope_for(user)
    return scope.is_admin or scope.has(Role.OFFICE)


@login_required
def mapping_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    old, new = _editions(request)
    office = _is_office(user)
    context: dict[str, object] = {
        "editions": FrameworkEdition.objects.defer("source").order_by("code", "edition"),
        "old": old,
        "new": new,
        "office": office,
        "header": HEADER,
    }
    if old is not None and new is not None and old.pk != new.pk:
        stored = EditionMapping.objects.filter(old=old, new=new).first()
        rows: list[MapRow] = (
            edition_mapping_rows(stored)
            if stored
            else propose_mapping(framework_of(old), framework_of(new))
        )
        if request.method == "POST":
            response = _post(request, user, old, new, stored)
            if response is not None:
                return response
        own = scope_for(user).own_units
        context |= {
            "stored": stored,
            "table": mapping_table(rows, framework_of(old), framework_of(new)),
            "units": units_visible_to(user).filter(pk__in=own).order_by("name") if stored else [],
            "query": f"?old={old.pk}&new={new.pk}",
        }
    return render(request, "web/edition_mapping.html", context)


def _post(
    request: HttpRequest,
    user: User,
    old: FrameworkEdition,
    new: FrameworkEdition,
    stored: EditionMapping | None,
) -> HttpResponse | None:
    here = reverse("edition_mapping") + f"?old={old.pk}&new={new.pk}"
    try:
        if "carry" in request.POST:
            unit = unit_get_for_user(user, params(request.POST, CarryParams)["unit"] or 0)
            report = unit_carry(
                actor=user, unit=unit, mapping=edition_mapping_get(old=old, new=new)
            )
            messages.success(request, f"{unit.name}:已沿用{report.carried}项")
            for line in report.lines()[:200]:
                messages.warning(request, f"未能沿用:{line}")
            return redirect(here)
        if not _is_office(user):
            raise PermissionDenied("只有测评办公室人员可以确认版本对应关系")
        carry_entries = params(request.POST, ConfirmParams)["carry_entries"]
        uploaded = request.FILES.get("file")
        if uploaded is not None:
            if uploaded.size is None or uploaded.size > MAPPING_FILE_MAX:
                raise ActionRefused("对应关系文件过大(上限2MB)")
            rows = mapping_from_xlsx(uploaded.read(), framework_of(old), framework_of(new))
        elif stored is not None and "keep" in request.POST:
            rows = edition_mapping_rows(stored)
        else:
            rows = propose_mapping(framework_of(old), framework_of(new))
        edition_mapping_confirm(
            actor=user, old=old, new=new, rows=rows, carry_entries=carry_entries
        )
        messages.success(request, f"已确认对应关系,共{len(rows)}行")
        return redirect(here)
    except FileInvalid as exc:
        for issue in exc.issues[:50]:
            messages.error(request, str(issue))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return None


class CarryParams(forms.Form):
    unit = IdField(label="单位", required=True)


@login_required
def mapping_export(request: HttpRequest) -> HttpResponse:
    """The mapping (confirmed, else proposed) as the workbook an office edits."""
    user = actor(request)
    if not _is_office(user):
        raise PermissionDenied("只有测评办公室人员可以导出对应关系表")
    old, new = _editions(request)
    if old is None or new is None or old.pk == new.pk:
        raise PermissionDenied("请选择两个不同的版本")
    stored = EditionMapping.objects.filter(old=old, new=new).first()
    old_fw, new_fw = framework_of(old), framework_of(new)
    rows = edition_mapping_rows(stored) if stored else propose_mapping(old_fw, new_fw)
    name = f"版本对应关系_{old.code}_{old.edition}_{new.edition}.xlsx"
    return file_download(mapping_to_xlsx(rows, old_fw, new_fw), name, XLSX)
