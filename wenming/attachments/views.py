from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from wenming.attachments.access import attachment_get_for_user
from wenming.attachments.models import Attachment
from wenming.attachments.services import content_path, thumbnail_path


def _attachment_for(request: HttpRequest, pk: int) -> Attachment:
    """Only people who may see the unit get its files; everyone else gets 404."""
    return attachment_get_for_user(request.user, pk)


INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment_for(request, pk)
    path = content_path(attachment.file.sha256)
    if not path.exists():
        raise Http404("文件内容缺失")
    # only raster images open in the browser; a PDF (which may carry JavaScript or launch
    # actions), and anything else, is saved to disk for the desktop application to open
    inline = attachment.file.mime in INLINE_TYPES and request.GET.get("download") != "1"
    response = FileResponse(
        path.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.file.mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def thumb(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment_for(request, pk)
    path = thumbnail_path(attachment.file.sha256)
    if not attachment.file.has_thumbnail or not path.exists():
        raise Http404("没有缩略图")
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
