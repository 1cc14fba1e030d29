from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from wenming.accounts.scope import scope_for
from wenming.imports.base import Importer
from wenming.imports.models import ImportBatch
from wenming.imports.services import (
    ImportRefused,
    import_commit,
    import_preview,
    importer_for,
)
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download


def _context(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k != "page"}


def _importer(request: HttpRequest, kind: str, context: dict[str, str] | None = None) -> Importer:
    try:
        return importer_for(kind, actor(request), _context(request) if context is None else context)
    except ImportRefused as exc:
        raise PermissionDenied(str(exc)) from None


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer(request, kind)
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            messages.error(request, "请选择要导入的Excel文件")
        else:
            try:
                batch, _ = import_preview(
                    kind=kind,
                    filename=uploaded.name or "",
                    content=uploaded.read(),
                    user=actor(request),
                    context=importer.context,
                )
            except ImportRefused as exc:
                messages.error(request, str(exc))
            else:
                return redirect("imports:preview", batch_id=batch.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "importer": importer,
            "kind": kind,
            "query": urlencode(importer.context),
            "back": importer.done_target(),
        },
    )


@login_required
def preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id, created_by=request.user)
    importer = _importer(request, batch.kind, batch.context)
    # what was stored when the file was read at upload: the file is not read again here
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "importer": importer,
            "shown": batch.plan,
            "query": urlencode(importer.context),
            "back": importer.done_target(),
        },
    )


@login_required
@require_POST
def commit(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id, created_by=request.user)
    importer = _importer(request, batch.kind, batch.context)
    try:
        plan = import_commit(batch_id=batch_id, user=actor(request))
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("imports:preview", batch_id=batch_id)
    counts = plan.counts()
    messages.success(
        request,
        f"导入完成:新增{counts['新增']}条,更新{counts['更新']}条,无变化{counts['无变化']}条",
    )
    return redirect(importer.done_target())


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer(request, kind)
    return file_download(importer.export(scope=scope_for(request.user)), f"{kind}.xlsx", XLSX)
