from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from wenming.attachments.access import attachment_get_for_user
from wenming.attachments.models import Attachment
from wenming.attachments.services import content_name, thumbnail_name
from wenming.web.downloads import stored_download


def _attachment_for(request: HttpRequest, pk: int) -> Attachment:
    """Only people who may see the unit get its files; everyone else gets 404."""
    return attachment_get_for_user(request.user, pk)


INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = _attachment_for(request, pk)
    # only raster images open in the browser; a PDF (which may carry JavaScript or launch
    # actions), and anything else, is saved to disk for the desktop application to open
    inline = attachment.file.mime in INLINE_TYPES and request.GET.get("download") != "1"
    response = stored_download(
        content_name(attachment.file.sha256),
        filename=attachment.name,
        content_type=attachment.file.mime,
        inline=inline,
        size=attachment.file.size,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def thumb(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = _attachment_for(request, pk)
    if not attachment.file.has_thumbnail:
        raise Http404("没有缩略图")
    response = stored_download(
        thumbnail_name(attachment.file.sha256),
        filename="缩略图.jpg",
        content_type="image/jpeg",
        inline=True,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
