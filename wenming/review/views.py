"""Pages of the material review: an application's review page, a campaign's reports by copy rate,
the reference library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenming.campaigns.access import campaign_get_for_user, runs_campaign
from wenming.documents.reading import MAX_BYTES
from wenming.review.access import (
    application_for_review,
    checks_visible_to,
    may_give_verdict,
    may_manage_library,
    may_start_check,
    may_upload_reports,
)
from wenming.review.forms import LibraryRemoveForm, ReportFileRemoveForm, VerdictForm
from wenming.review.jobs import check_start
from wenming.review.selectors import (
    campaign_checks,
    check_marks,
    clusters,
    library_texts,
    report_files_of,
    verdicts_of,
)
from wenming.review.services import (
    MAX_LIBRARY_FILES,
    MAX_UPLOADS,
    ReviewRefused,
    library_remove,
    library_upload,
    report_file_add,
    report_file_remove,
    verdict_record,
)
from wenming.web.actor import actor
from wenming.web.downloads import TEXT, file_download
from wenming.web.params import params


@login_required
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    application = application_for_review(user, pk)
    check = checks_visible_to(user).select_related("text").filter(application=application).first()
    return render(
        request,
        "review/application.html",
        {
            "application": application,
            "marks": check_marks(check, user) if check else None,
            "can_start": may_start_check(user, application),
            "can_judge": check is not None and may_give_verdict(user, application),
            "verdicts": verdicts_of(application),
            "files": report_files_of(application),
            "can_upload": may_upload_reports(user, application),
            "upload_limit": MAX_UPLOADS,
        },
    )


@login_required
@require_POST
def report_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    application = application_for_review(user, pk)
    uploads = request.FILES.getlist("files")[: MAX_UPLOADS + 1]
    if not uploads:
        messages.error(request, "请选择要上传的汇报材料(.txt、.docx 或 .pdf)")
        return redirect("review:application", pk=application.pk)
    added = 0
    for upload in uploads:
        try:
            report_file_add(
                actor=user,
                application=application,
                name=upload.name or "汇报材料",
                content=upload.read(MAX_BYTES + 1),
            )
        except ReviewRefused as exc:
            messages.error(request, str(exc))
        else:
            added += 1
    if added:
        messages.success(request, f"已上传汇报材料 {added} 份,开始审查后一并比对")
    return redirect("review:application", pk=application.pk)


@login_required
def report_file_download(request: HttpRequest, pk: int, text_id: int) -> HttpResponse:
    """An uploaded .txt report file, as the text it was read as (UTF-8 with a byte-order mark,
    so that Notepad opens it right); .docx/.pdf files download from the attachment store."""
    application = application_for_review(actor(request), pk)
    row = (
        report_files_of(application)
        .filter(pk=text_id, attachment__isnull=True)
        .values_list("name", "text")
        .first()
    )
    if row is None:
        raise Http404("汇报材料不存在")
    name, text = row
    name = name if name.lower().endswith(".txt") else f"{name}.txt"
    return file_download(("\ufeff" + text).encode("utf-8"), name, TEXT)


@login_required
@require_POST
def report_file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    application = application_for_review(user, pk)
    f = params(request.POST, ReportFileRemoveForm)
    try:
        report_file_remove(actor=user, application=application, text_id=f["text"])
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已删除汇报材料")
    return redirect("review:application", pk=application.pk)


@login_required
@require_POST
def check_begin(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    application = application_for_review(user, pk)
    if not may_start_check(user, application):
        raise PermissionDenied("无权审查该申报的材料")
    job = check_start(actor=user, application=application)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    application = application_for_review(user, pk)
    f = params(request.POST, VerdictForm)
    try:
        verdict_record(
            actor=user,
            application_id=application.pk,
            decision=f["decision"],
            reason=f["reason"],
            version=f["version"],
        )
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录审查结论")
    return redirect("review:application", pk=application.pk)


@login_required
def campaign_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    campaign = campaign_get_for_user(user, pk)
    if not (runs_campaign(user, campaign) or may_manage_library(user)):
        raise Http404("活动不存在或无权查看")
    checks = campaign_checks(user, campaign)
    return render(
        request,
        "review/campaign.html",
        {"campaign": campaign, "checks": checks, "clusters": clusters(checks)},
    )


@login_required
def library(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not may_manage_library(user):
        raise PermissionDenied("只有测评办公室可以维护参考库")
    if request.method == "POST":
        uploads = request.FILES.getlist("files")[: MAX_LIBRARY_FILES + 1]
        files = [(f.name or "范文", f.read(MAX_BYTES + 1)) for f in uploads]
        try:
            added = library_upload(actor=user, files=files)
        except ReviewRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已加入参考库 {len(added)} 篇")
            return redirect("review:library")
    return render(
        request, "review/library.html", {"texts": library_texts(), "limit": MAX_LIBRARY_FILES}
    )


@login_required
@require_POST
def library_delete(request: HttpRequest) -> HttpResponse:
    f = params(request.POST, LibraryRemoveForm)
    try:
        library_remove(actor=actor(request), text_id=f["text"])
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已从参考库删除")
    return redirect("review:library")
