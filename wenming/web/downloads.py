"""File downloads: one way to name them (Chinese file names kept, RFC 5987)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
YAML = "text/yaml; charset=utf-8"


def file_download(content: bytes, name: str, content_type: str) -> HttpResponse:
    """``content`` as an attachment called ``name``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
