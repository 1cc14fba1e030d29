"""The offices' pages: the reports of their regions (with duplicates suggested), the public
reply, categories and places per region; external systems' keys (system administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenming.accounts.scope import regions_visible_to, scope_for, units_visible_to
from wenming.attachments.services import attachments_of
from wenming.citizen.access import (
    categories_visible_to,
    category_get_for_user,
    clients_visible_to,
    is_report_office,
    place_get_for_user,
    places_visible_to,
    report_get_for_user,
    reports_visible_to,
)
from wenming.citizen.forms import (
    CategoryForm,
    ClientRevokeForm,
    DuplicateForm,
    PlaceForm,
    ReplyForm,
    ReportFilter,
)
from wenming.citizen.selectors import (
    DUPLICATE_DAYS,
    PUBLIC_STATUS,
    duplicates_of,
    with_duplicate_flag,
)
from wenming.citizen.services import (
    ReportRefused,
    category_save,
    client_revoke,
    place_save,
    report_mark_duplicate,
    report_reply,
)
from wenming.rectification.models import ProblemState, StepAction
from wenming.web.actor import actor
from wenming.web.params import errors_text, params

PER_PAGE = 50


def _office(request: HttpRequest) -> Any:
    user = actor(request)
    if not is_report_office(user):
        raise PermissionDenied("只有测评办公室可以查看群众随手拍")
    return user


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    page = params(request.GET, ReportFilter)["page"] or 1
    rows = with_duplicate_flag(
        reports_visible_to(user).select_related("category", "place", "problem", "region")
    )
    paginator = Paginator(rows, PER_PAGE)
    shown = paginator.get_page(page)
    for report in shown:
        state = report.problem.state if report.problem else ProblemState.FOUND
        report.public_status = PUBLIC_STATUS[ProblemState(state)]  # type: ignore[attr-defined]
    return render(request, "citizen/office_list.html", {"page": shown})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    report = report_get_for_user(user, pk)
    photos: list[Any] = []
    if report.problem:
        step = report.problem.steps.filter(action=StepAction.CREATE).first()
        photos = list(attachments_of(step)) if step else []
    duplicates = list(duplicates_of(report, reports_visible_to(user)))
    return render(
        request,
        "citizen/office_detail.html",
        {
            "report": report,
            "photos": photos,
            "duplicates": duplicates,
            "days": DUPLICATE_DAYS,
            "reply_form": ReplyForm(initial={"text": report.public_reply}),
            "public_status": PUBLIC_STATUS[
                ProblemState(report.problem.state if report.problem else ProblemState.FOUND)
            ],
        },
    )


@login_required
@require_POST
def report_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    report = report_get_for_user(user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
    else:
        try:
            report_reply(actor=user, report=report, text=form.cleaned_data["text"])
            messages.success(request, "已保存公开答复,群众凭受理编号可以查看")
        except ReportRefused as exc:
            messages.error(request, str(exc))
    return redirect("citizen:detail", pk=report.pk)


@login_required
@require_POST
def report_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    report = report_get_for_user(user, pk)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("citizen:detail", pk=report.pk)
    original_id = form.cleaned_data["original"]
    original = report_get_for_user(user, original_id) if original_id else None
    try:
        report_mark_duplicate(actor=user, report=report, original=original)
        messages.success(
            request, f"已标记为与 {original.reference} 重复" if original else "已取消重复标记"
        )
    except ReportRefused as exc:
        messages.error(request, str(exc))
    return redirect("citizen:detail", pk=report.pk)


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    """Categories per region and the unit each is routed to; the office adds and edits them."""
    user = _office(request)
    regions = regions_visible_to(user)
    units = units_visible_to(user).filter(scope_for(user).units_q(assigned=False))
    if request.method == "POST":
        form = CategoryForm(request.POST, regions=regions, units=units)
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect("citizen:categories")
        f = form.cleaned_data
        category = category_get_for_user(user, f["category"]) if f["category"] else None
        try:
            saved = category_save(
                actor=user,
                category=category,
                region=f["region"],
                name=f["name"],
                unit=f["unit"],
                severity=f["severity"],
                active=f["active"],
                position=f["position"] or 0,
            )
            messages.success(request, f"已保存类别“{saved.name}”")
        except ReportRefused as exc:
            messages.error(request, str(exc))
        return redirect("citizen:categories")
    rows = categories_visible_to(user).select_related("region", "unit")
    return render(
        request,
        "citizen/categories.html",
        {"rows": rows, "regions": regions, "units": units.order_by("name")[:2000]},
    )


@login_required
def places(request: HttpRequest) -> HttpResponse:
    """Places per region the public picks from."""
    user = _office(request)
    regions = regions_visible_to(user)
    if request.method == "POST":
        form = PlaceForm(request.POST, regions=regions)
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect("citizen:places")
        f = form.cleaned_data
        place = place_get_for_user(user, f["place"]) if f["place"] else None
        try:
            saved = place_save(
                actor=user, place=place, region=f["region"], name=f["name"], active=f["active"]
            )
            messages.success(request, f"已保存地点“{saved.name}”")
        except ReportRefused as exc:
            messages.error(request, str(exc))
        return redirect("citizen:places")
    rows = places_visible_to(user).select_related("region")
    return render(request, "citizen/places.html", {"rows": rows, "regions": regions})


@login_required
def clients(request: HttpRequest) -> HttpResponse:
    """External systems (a 12345 hotline) filing through the API's Open311 intake: system
    administrators only. They are connected with a service token (the tokens page)."""
    user = actor(request)
    if not scope_for(user).is_admin:
        raise PermissionDenied("只有系统管理员可以管理外部系统")
    return render(
        request,
        "citizen/clients.html",
        {"rows": clients_visible_to(user).select_related("region", "account")},
    )


@login_required
@require_POST
def client_revoke_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not scope_for(user).is_admin:
        raise PermissionDenied("只有系统管理员可以停用外部系统")
    form = ClientRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("citizen:clients")
    client = clients_visible_to(user).filter(pk=form.cleaned_data["client"]).first()
    if client is None:
        messages.error(request, "外部系统不存在")
    else:
        client_revoke(actor=user, client=client)
        messages.success(request, f"已停用“{client.name}”")
    return redirect("citizen:clients")
