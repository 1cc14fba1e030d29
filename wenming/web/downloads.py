"""File downloads: one way to name them (Chinese file names kept, RFC 5987)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from wenming.web.storage import stored_open, stored_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
YAML = "text/yaml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


def file_download(content: bytes, name: str, content_type: str) -> HttpResponse:
    """``content`` as an attachment called ``name``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def stored_download(
    name: str,
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    size: int | None = None,
) -> HttpResponseBase:
    """A stored file (see :mod:`wenming.web.storage`) as a response: streamed in chunks from
    the store, or, when ``WENMING_STORAGE_REDIRECT`` is on for an object store, a redirect to
    a signed link that lasts five minutes. 404 when the file is missing."""
    if url := stored_url(name, filename=filename, content_type=content_type, inline=inline):
        return HttpResponseRedirect(url)
    try:
        stream = stored_open(name)
    except FileNotFoundError:
        raise Http404("文件内容缺失") from None
    response = FileResponse(
        stream, as_attachment=not inline, filename=filename, content_type=content_type
    )
    if size is not None and not response.has_header("Content-Length"):
        response["Content-Length"] = str(size)
    return response
