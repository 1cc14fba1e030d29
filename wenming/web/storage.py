"""Stored files through Django's storage API: a directory (the default, or a shared mount) or an
S3-compatible object store (``WENMING_STORAGE_URL``, see settings). Every app that keeps files
(attachments, thumbnails, job results) names them here and never builds a disk path itself, so
any number of application servers on any number of hosts see the same files.

Bytes never pass through memory whole: files go in from a local temporary file and come out as
a stream read in chunks.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


def store() -> Storage:
    """The storage of stored files (``STORAGES["default"]``)."""
    return storages["default"]


def local_path(name: str) -> Path | None:
    """The file's path on this host's disk when the store is a directory; None for an object
    store."""
    storage = store()
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(name))
    return None


def stored_put(name: str, source: Path) -> None:
    """Move the local file ``source`` into the store as ``name``, replacing what was there.

    A directory store renames (atomic: a reader never sees half a file); an object store uploads
    in parts and the temporary file is removed afterwards."""
    target = local_path(name)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # another file system (a shared mount): copy beside the target, then rename
            descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            with os.fdopen(descriptor, "wb") as out, source.open("rb") as data:
                shutil.copyfileobj(data, out, 1024 * 1024)
            os.replace(temporary, target)
            source.unlink()
        return
    try:
        with source.open("rb") as handle:
            saved = store().save(name, File(handle, name=name))
        if saved != name:  # file_overwrite is off in the backend's options: refuse, never rename
            raise RuntimeError(f"对象存储把 {name} 存成了 {saved};请检查存储配置")
    finally:
        source.unlink(missing_ok=True)


def stored_exists(name: str) -> bool:
    return store().exists(name)


def stored_open(name: str) -> IO[bytes]:
    """A stream of the stored file, read in chunks (an object store's body is not downloaded
    first). Raises FileNotFoundError when it is missing."""
    target = local_path(name)
    if target is not None:
        return target.open("rb")
    storage: Any = store()
    key = storage._normalize_name(name)  # the bucket key with the configured prefix
    try:
        body = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    except Exception as exc:
        if _missing(exc):
            raise FileNotFoundError(name) from exc
        raise
    stream: IO[bytes] = body["Body"]
    return stream


def stored_seekable(name: str) -> IO[bytes]:
    """A seekable handle (an image library jumps around in the file): the file itself on a
    directory store, a temporary copy on disk for an object store. Close it when done."""
    target = local_path(name)
    if target is not None:
        return target.open("rb")
    copy = tempfile.TemporaryFile(dir=spool_dir())  # noqa: SIM115 (the caller closes it)
    with stored_open(name) as source:
        shutil.copyfileobj(source, copy, 1024 * 1024)
    copy.seek(0)
    return copy


def stored_url(name: str, *, filename: str, content_type: str, inline: bool) -> str | None:
    """A short-lived signed link to the file in the object store, or None when the file cannot
    be fetched from the store directly (a directory store, or redirects not enabled)."""
    if local_path(name) is not None or not settings.STORAGE_REDIRECT:
        return None
    from urllib.parse import quote

    disposition = "inline" if inline else "attachment"
    storage: Any = store()
    url: str = storage.url(
        name,
        parameters={
            "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "ResponseContentType": content_type,
        },
    )
    return url


def spool_dir() -> Path:
    """This host's scratch directory for files on their way into the store."""
    path = Path(settings.MEDIA_ROOT) / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_names(prefix: str) -> list[str]:
    """Every stored file's name under ``prefix`` (a directory such as ``files``), sorted."""
    storage = store()
    found: list[str] = []
    pending = [prefix.strip("/")]
    while pending:
        here = pending.pop()
        try:
            directories, files = storage.listdir(here)
        except FileNotFoundError:
            continue
        found += [f"{here}/{name}" for name in files]
        pending += [f"{here}/{name}" for name in directories]
    return sorted(found)


def _missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("NoSuchKey", "404", "NotFound")
