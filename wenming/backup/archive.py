"""The backup archive: an uncompressed tar whose last member is a manifest of SHA-256 digests.

A tar streams (no member is read whole into memory, however large the media grows), handles
files past 8 GB (PAX headers) and is read by ordinary tools. It is not compressed: stored files
are mostly JPEG/PDF/Office files that are compressed already, and the PostgreSQL dump is written
in pg_dump's own compressed format. The manifest comes last because the digests are only known
once every member has been written; a reader finds it by its name.

Member names are fixed (``database/…``, ``secret_key``) or ``media/<relative path>``; a reader
accepts no other name, so an archive can never write outside the directories it restores.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY = "secret_key"
SQLITE_MEMBER = "database/wenming.sqlite3"
PGDUMP_MEMBER = "database/wenming.pgdump"
DATABASE_MEMBERS = {"sqlite": SQLITE_MEMBER, "postgresql": PGDUMP_MEMBER}
CHUNK = 1024 * 1024
MANIFEST_MAX_BYTES = 256 * 1024 * 1024  # ~1.5 million members
SECRET_KEY_MAX_BYTES = 4096
MEDIA_PART = re.compile(r"^[A-Za-z0-9._-]{1,200}$")

Report = Callable[[str], None]


class BackupError(Exception):
    """A refusal or failure, with a Chinese message for the person running the command."""


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tables: dict[str, int]
    stored_files: int = Field(ge=0)
    thumbnails: int = Field(ge=0)
    job_results: int = Field(ge=0)
    other_files: int = Field(ge=0)
    media_bytes: int = Field(ge=0)


class Manifest(BaseModel):
    """What the archive holds and how it was made; checked field by field when read back."""

    model_config = ConfigDict(extra="forbid")

    format: Literal[1]
    product: Literal["wenming"]
    version: str = Field(max_length=40)
    created_at: datetime
    vendor: Literal["sqlite", "postgresql"]
    database_format: Literal["sqlite", "pg_dump-custom"]
    migrations: dict[str, list[str]]
    counts: Counts
    members: dict[str, Member]

    @field_validator("members")
    @classmethod
    def _known_names(cls, members: dict[str, Member]) -> dict[str, Member]:
        for name in members:
            if not member_name_ok(name):
                raise ValueError(f"成员名称不合规:{name[:200]}")
        return members


def member_name_ok(name: str) -> bool:
    if name in (SECRET_KEY, SQLITE_MEMBER, PGDUMP_MEMBER):
        return True
    parts = name.split("/")
    return (
        len(parts) >= 3
        and parts[0] == "media"
        and len(parts) <= 12
        and all(MEDIA_PART.match(p) and p not in (".", "..") for p in parts[1:])
    )


def media_member(relative: PurePosixPath) -> str:
    return f"media/{relative.as_posix()}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class Throttle:
    """Progress lines at most every ``interval`` seconds, and always the last one."""

    def __init__(self, report: Report, interval: float = 2.0) -> None:
        self.report, self.interval, self.last = report, interval, 0.0

    def __call__(self, message: str, *, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self.last >= self.interval:
            self.last = now
            self.report(message)


class _HashingReader(io.RawIOBase):
    """Reads a file through, hashing what tarfile copies into the archive."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source, self.digest, self.count = source, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


class ArchiveWriter:
    """Writes members one by one, recording each digest; ``close`` appends the manifest."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        # closed by close(), once the manifest is written
        self.tar = tarfile.open(fileobj=fileobj, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.tar.copybufsize = CHUNK  # type: ignore[attr-defined]  # missing from typeshed
        self.members: dict[str, Member] = {}

    def _info(self, name: str, size: int, mtime: float) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(mtime), 0o600
        return info

    def add_file(self, name: str, path: Path) -> Member:
        with path.open("rb") as source:
            stat = os.fstat(source.fileno())
            reader = _HashingReader(source)
            self.tar.addfile(self._info(name, stat.st_size, stat.st_mtime), reader)
        member = Member(sha256=reader.digest.hexdigest(), size=reader.count)
        self.members[name] = member
        return member

    def add_stream(self, name: str, source: IO[bytes], *, size: int, mtime: float) -> Member:
        """A member read from a stream of known size (a file in an object store)."""
        reader = _HashingReader(source)
        self.tar.addfile(self._info(name, size, mtime), reader)
        if reader.count != size:
            raise BackupError(f"“{name}”在备份过程中大小发生变化")
        member = Member(sha256=reader.digest.hexdigest(), size=reader.count)
        self.members[name] = member
        return member

    def add_bytes(self, name: str, data: bytes) -> Member:
        self.tar.addfile(self._info(name, len(data), time.time()), io.BytesIO(data))
        member = Member(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        self.members[name] = member
        return member

    def close(self, manifest: Manifest) -> None:
        self.add_bytes(MANIFEST, manifest.model_dump_json(indent=1).encode())
        self.tar.close()


def manifest_read(tar: tarfile.TarFile) -> Manifest:
    try:
        info = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("这不是本系统的备份文件:缺少清单(manifest.json)") from None
    if not info.isreg() or info.size > MANIFEST_MAX_BYTES:
        raise BackupError("备份文件的清单(manifest.json)异常,已拒绝")
    source = tar.extractfile(info)
    assert source is not None  # a regular member always has content
    try:
        return Manifest.model_validate_json(source.read())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BackupError(f"备份文件的清单(manifest.json)不合规:{where} {first['msg']}") from None


def archive_open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件“{path}”") from None
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"无法读取备份文件“{path}”:{exc}") from None


def copy_hashing(source: IO[bytes], target: IO[bytes] | None) -> tuple[str, int]:
    """Copy (or only read, when ``target`` is None) in chunks; the SHA-256 and the size."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as source:
        return copy_hashing(source, None)


def tampered(name: str) -> BackupError:
    return BackupError(f"备份文件已被改动或损坏:成员“{name}”的校验值与清单不符,已拒绝恢复")


def members_verify(tar: tarfile.TarFile, manifest: Manifest, report: Report) -> None:
    """Read every member and compare it with the manifest: nothing missing, extra or changed."""
    seen: set[str] = set()
    total = sum(m.size for m in manifest.members.values())
    done, progress = 0, Throttle(report)
    for info in member_infos(tar, manifest):
        expected = manifest.members[info.name]
        source = tar.extractfile(info)
        assert source is not None
        digest, size = copy_hashing(source, None)
        if digest != expected.sha256 or size != expected.size:
            raise tampered(info.name)
        seen.add(info.name)
        done += size
        progress(f"校验备份:{human_size(done)} / {human_size(total)}")
    missing = sorted(set(manifest.members) - seen)
    if missing:
        raise BackupError(f"备份文件不完整:缺少清单中的成员“{missing[0]}”等{len(missing)}项")
    progress(f"校验备份:{len(seen)}个成员全部与清单一致", final=True)


def member_infos(tar: tarfile.TarFile, manifest: Manifest) -> Iterator[tarfile.TarInfo]:
    """The archive's members except the manifest, each a regular file listed in the manifest."""
    seen: set[str] = set()
    for info in tar:
        if info.name == MANIFEST:
            continue
        if info.name not in manifest.members or info.name in seen or not info.isreg():
            raise BackupError(f"备份文件含有重复的或清单以外的成员“{info.name[:200]}”,已拒绝")
        if info.size != manifest.members[info.name].size:
            raise tampered(info.name)
        seen.add(info.name)
        yield info
