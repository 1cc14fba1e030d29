"""What a file really is, judged by its content (magic bytes), never by its name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class FileType:
    kind: str  # image | pdf | word | excel
    mime: str
    label: str


JPEG = FileType("image", "image/jpeg", "JPEG图片")
PNG = FileType("image", "image/png", "PNG图片")
GIF = FileType("image", "image/gif", "GIF图片")
WEBP = FileType("image", "image/webp", "WebP图片")
PDF = FileType("pdf", "application/pdf", "PDF文档")
DOCX = FileType(
    "word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word文档"
)
XLSX = FileType(
    "excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel表格"
)
DOC = FileType("word", "application/msword", "Word文档(旧版)")
XLS = FileType("excel", "application/vnd.ms-excel", "Excel表格(旧版)")

EXTENSIONS = {
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".gif": GIF,
    ".webp": WEBP,
    ".pdf": PDF,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".doc": DOC,
    ".xls": XLS,
}
ALLOWED = "图片(JPEG、PNG、GIF、WebP)、PDF、Word、Excel"


class FileRejected(ValueError):
    """The file may not be stored; the message says why in Chinese."""


def sniff(head: bytes, path: str) -> FileType | None:
    """The type from the first bytes (and, for Office files, the zip's entries)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC if PurePath(path).suffix.lower() == ".doc" else XLS
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    return None


def check(path: str, filename: str) -> FileType:
    """Identify a stored temporary file; raise FileRejected with a clear message."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    found = sniff(head, path)
    claimed = EXTENSIONS.get(PurePath(filename).suffix.lower())
    if found is None:
        if claimed is not None:
            raise FileRejected(
                f"文件“{filename}”的扩展名表示{claimed.label},但内容不是{claimed.label},已拒绝"
            )
        raise FileRejected(f"不支持的文件类型“{filename}”,仅支持{ALLOWED}")
    if claimed is not None and claimed != found:  # a PNG named .jpg is not a JPEG either
        raise FileRejected(
            f"文件“{filename}”的扩展名表示{claimed.label},但内容是{found.label},请检查后重新上传"
        )
    if found.kind == "image":
        try:
            with Image.open(path) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise FileRejected(f"图片“{filename}”已损坏或不完整,无法读取") from exc
    return found


def thumbnail(path: str, target: str, *, size: int = 320) -> bool:
    """Write a JPEG thumbnail; False when the image cannot be read."""
    try:
        with Image.open(path) as image:
            image.thumbnail((size, size))
            image.convert("RGB").save(target, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError):
        return False
    return True


def image_bytes(color: str = "red", size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    """A small real image (demo data and tests)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()
