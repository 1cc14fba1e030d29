"""Write a ZIP of stored (uncompressed) entries front to back, copying stored files in the kernel.

A stored file's size and CRC-32 are known from its upload, so its ZIP entry is a local header
followed by the bytes, and where each entry goes in the archive is known before any byte is
written. The bytes are copied file-to-file by the kernel (``copy_file_range`` at that offset;
a 1 MB read/write loop where it is missing) on a copier thread, which holds no lock while the
kernel works, so the caller goes on writing the next headers and texts meanwhile (on another
core when there is one). Every field of an entry's central-directory record is known when the
entry is written, so the record is packed then and the archive never seeks back: memory is one
small record per entry, and at most a few dozen files are open, whatever the archive's size. Entries past 4 GB, offsets past 4 GB or more than 65,535 entries get the
ZIP64 extensions, as ``zipfile`` would write them.

This is what lets the inspection binder (thousands of small texts, hundreds of MB of photos)
run as fast as a plain ``zipfile`` copy of its photos alone. Photos and Office files are
already compressed, so nothing is deflated.
"""

from __future__ import annotations

import os
import queue
import shutil
import struct
import tempfile
import threading
import time
import zlib
from pathlib import Path
from types import TracebackType

from wenming.attachments.models import StoredFile
from wenming.attachments.services import content_name, stored_crc32
from wenming.web.storage import local_path, spool_dir, stored_open

# Field limits of the classic format; tests lower them to exercise the ZIP64 records.
SIZE_LIMIT = 0xFFFFFFFF
COUNT_LIMIT = 0xFFFF

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_UTF8 = 0x800  # general purpose flag: the name is UTF-8
_UNIX = 3
_FILE_ATTRIBUTES = 0o100644 << 16
_FLUSH_AT = 1024 * 1024
_COPY_CHUNK = 1024 * 1024
_QUEUED_COPIES = 32  # files opened and waiting for the copier at most


def _dos_time(seconds: float) -> tuple[int, int]:
    when = time.localtime(seconds)
    year = min(max(when.tm_year, 1980), 2107)
    return (
        when.tm_hour << 11 | when.tm_min << 5 | when.tm_sec // 2,
        (year - 1980) << 9 | when.tm_mon << 5 | when.tm_mday,
    )


class ZipWriter:
    """A ZIP written from the start of an open file descriptor, entry by entry. Use it in a
    ``with`` block: leaving the block stops the copier thread (and, without an error, closes
    the archive)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._offset = 0  # where the next entry starts
        self._pending = bytearray()  # headers and small entries not yet written
        self._pending_at = 0  # ... which start there
        self._central = bytearray()
        self._count = 0
        self._names: set[str] = set()
        self._now = _dos_time(time.time())
        self._copies: queue.Queue[tuple[int, int, int, str] | None] = queue.Queue(_QUEUED_COPIES)
        self._failure: BaseException | None = None
        self._copier = threading.Thread(target=self._copy_all, name="zip-copier", daemon=True)
        self._copier.start()

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._stop_copier()

    def add_bytes(self, name: str, data: bytes, *, mtime: float | None = None) -> None:
        """A small entry (a text, the index sheet): buffered, written with the next flush."""
        self._header(name, len(data), zlib.crc32(data), mtime)
        self._pending += data
        self._offset += len(data)
        if len(self._pending) >= _FLUSH_AT:
            self._flush()

    def add_stored(self, name: str, stored: StoredFile) -> None:
        """A stored attachment, its bytes copied by the kernel from the store."""
        if self._failure is not None:
            raise self._failure
        name_in_store = content_name(stored.sha256)
        path = local_path(name_in_store)
        if path is not None:
            source = os.open(path, os.O_RDONLY)
        else:
            # an object store: a nameless copy on this host's disk (gone when closed), then the
            # same kernel copy; memory stays flat
            source = _spooled_copy(name_in_store)
            path = Path(stored.sha256)
        try:
            status = os.fstat(source)
            if status.st_size != stored.size:
                raise OSError(f"文件 {path.name} 的大小与记录不符")
            self._header(name, stored.size, stored_crc32(stored), status.st_mtime)
            self._flush()
            self._pending_at = self._offset = self._offset + stored.size
        except BaseException:
            os.close(source)
            raise
        self._copies.put((source, self._offset - stored.size, stored.size, path.name))

    def add_path(self, name: str, path: Path) -> None:
        """A file made for this archive (the index sheet, the contents PDF), read whole."""
        self.add_bytes(name, path.read_bytes(), mtime=path.stat().st_mtime)

    def close(self) -> None:
        """Wait for the copies, then write the central directory and the end records."""
        self._stop_copier()
        if self._failure is not None:
            raise self._failure
        start, size, count = self._offset, len(self._central), self._count
        self._pending += self._central
        if count >= COUNT_LIMIT or size >= SIZE_LIMIT or start >= SIZE_LIMIT:
            self._pending += _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
            self._pending += _LOCATOR64.pack(b"PK\x06\x07", 0, start + size, 1)
            count, size, start = (
                min(count, 0xFFFF),
                min(size, 0xFFFFFFFF),
                min(start, 0xFFFFFFFF),
            )
        self._pending += _END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0)
        self._flush()
        self._central = bytearray()

    def _stop_copier(self) -> None:
        if self._copier.is_alive():
            self._copies.put(None)
            self._copier.join()

    def _copy_all(self) -> None:
        while (job := self._copies.get()) is not None:
            source, at, size, name = job
            try:
                if self._failure is None:
                    _copy(source, self._fd, size, at, name)
            except BaseException as exc:  # reported by the next add_stored or by close
                self._failure = exc
            finally:
                os.close(source)

    def _header(self, name: str, size: int, crc: int, mtime: float | None) -> None:
        if name in self._names:
            raise ValueError(f"ZIP中已有同名条目:{name}")
        self._names.add(name)
        encoded = name.encode()
        flags = 0 if name.isascii() else _UTF8
        clock, day = self._now if mtime is None else _dos_time(mtime)
        big = size >= SIZE_LIMIT
        local_extra = struct.pack("<2H2Q", 1, 16, size, size) if big else b""
        version = 45 if big else 20
        shown = 0xFFFFFFFF if big else size
        self._pending += _LOCAL.pack(
            b"PK\x03\x04", version, 0, flags, 0, clock, day, crc, shown, shown,
            len(encoded), len(local_extra),
        )  # fmt: skip
        self._pending += encoded
        self._pending += local_extra
        offset = self._offset
        self._offset += _LOCAL.size + len(encoded) + len(local_extra)
        wide = [size, size] if big else []
        if offset >= SIZE_LIMIT:
            wide.append(offset)
            version = 45
        extra = struct.pack(f"<2H{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        self._central += _CENTRAL.pack(
            b"PK\x01\x02", version, _UNIX, version, 0, flags, 0, clock, day, crc, shown, shown,
            len(encoded), len(extra), 0, 0, 0, _FILE_ATTRIBUTES, min(offset, 0xFFFFFFFF),
        )  # fmt: skip
        self._central += encoded
        self._central += extra
        self._count += 1

    def _flush(self) -> None:
        view, at = memoryview(self._pending), self._pending_at
        while view:
            written = os.pwrite(self._fd, view, at)
            view, at = view[written:], at + written
        self._pending = bytearray()
        self._pending_at = at


def _copy(source: int, target: int, size: int, at: int, name: str) -> None:
    """Copy ``source`` (``size`` bytes) into ``target`` at offset ``at``, in the kernel."""
    done = 0
    try:
        while done < size:
            copied = _copy_file_range(source, target, size - done, done, at + done)
            if copied == 0:
                break
            done += copied
    except (AttributeError, OSError):
        pass  # not offered here (old kernel, another system, some file systems)
    while done < size:
        chunk = os.pread(source, min(_COPY_CHUNK, size - done), done)
        if not chunk:
            break
        view = memoryview(chunk)
        while view:
            written = os.pwrite(target, view, at + done)
            view, done = view[written:], done + written
    if done < size:
        raise OSError(f"文件 {name} 在复制时被截断")


def _copy_file_range(source: int, target: int, count: int, source_at: int, target_at: int) -> int:
    return os.copy_file_range(source, target, count, source_at, target_at)


def _spooled_copy(name: str) -> int:
    """A descriptor of a temporary copy of a stored file (unlinked at once: no name to leak)."""
    with tempfile.TemporaryFile(dir=spool_dir()) as handle, stored_open(name) as source:
        shutil.copyfileobj(source, handle, 1024 * 1024)
        handle.flush()
        return os.dup(handle.fileno())
