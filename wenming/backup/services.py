"""Back up and restore the whole product: database, stored files and the secret key.

:func:`backup_create` copies the database first and the files after it. Stored files are named
by their hash and written before the row that points at them, and job results before the job is
marked done, so every file the copied database refers to is already on disk when the files are
read. Files added later are merely extra.

:func:`backup_restore` restores only into an empty target (no secret key file, no stored file,
no table) and never overwrites; it checks every member against the manifest before writing
anything, and every restored file and table again afterwards.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from wenming import __version__
from wenming.backup import database as db
from wenming.backup.archive import (
    DATABASE_MEMBERS,
    MANIFEST,
    SECRET_KEY,
    SECRET_KEY_MAX_BYTES,
    ArchiveWriter,
    BackupError,
    Counts,
    Manifest,
    Report,
    Throttle,
    archive_open,
    copy_hashing,
    file_digest,
    human_size,
    manifest_read,
    media_member,
    member_infos,
    members_verify,
    tampered,
)

# Under the media root: the upload spool holds half-received uploads, the font cache is rebuilt
# from the system font on demand. Everything else (files/, thumbs/, jobs/ …) is kept.
MEDIA_SKIPPED = {"incoming", "fonts"}


class ObjectStore(Protocol):
    """Stored files kept in an object store instead of under the media root (see
    ``wenming.backup.cli``, which adapts Django's storage)."""

    def names(self) -> list[str]: ...  # every kept file, relative like the media root's
    def size(self, name: str) -> int: ...
    def open(self, name: str) -> IO[bytes]: ...
    def put(self, name: str, source: Path) -> None: ...  # moves ``source`` in
    def delete(self, name: str) -> None: ...


# What the store keeps: content by hash, thumbnails, job results (the media root's same dirs)
STORE_PREFIXES = ("files", "thumbs", "jobs")


@dataclass(frozen=True)
class Site:
    """One installation: its database (Django's settings dictionary) and its directories;
    ``store`` when stored files are in an object store (else under ``media_root``)."""

    database: dict[str, Any]
    data_dir: Path
    media_root: Path
    store: ObjectStore | None = None

    @property
    def vendor(self) -> str:
        return db.vendor_of(self.database)

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret_key"


def media_files(media_root: Path) -> Iterator[tuple[PurePosixPath, Path]]:
    """Every kept file under the media root, as (relative path, absolute path), sorted."""
    if not media_root.is_dir():
        return
    for directory, subdirs, files in os.walk(media_root):
        here = Path(directory)
        relative_dir = PurePosixPath(here.relative_to(media_root).as_posix())
        if relative_dir == PurePosixPath("."):
            subdirs[:] = [d for d in subdirs if d not in MEDIA_SKIPPED]
        subdirs.sort()
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield relative_dir / name, path


def _count(counts: dict[str, int], relative: PurePosixPath, size: int) -> None:
    kind = {"files": "stored_files", "thumbs": "thumbnails", "jobs": "job_results"}
    counts[kind.get(relative.parts[0], "other_files")] += 1
    counts["media_bytes"] += size


def _open_new(path: Path) -> IO[bytes]:
    """A new file readable by its owner only; refuses to replace anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "wb")


def backup_create(*, site: Site, secret_key: str, out: Path, report: Report) -> Manifest:
    """Write one archive to ``out`` (0600, never replacing a file) and return its manifest."""
    vendor = site.vendor
    if vendor == "postgresql":
        db.pg_tool("pg_dump")  # before anything is written
    if out.exists():
        raise BackupError(f"“{out}”已存在,不会覆盖:请换一个文件名或先移走它")
    if not out.parent.is_dir():
        raise BackupError(f"目录“{out.parent}”不存在")
    partial = out.with_name(out.name + ".part")
    try:
        with (
            tempfile.TemporaryDirectory(dir=out.parent, prefix=".wenming-backup-") as scratch,
            _open_new(partial) as handle,
        ):
            manifest = _write(site, secret_key, handle, Path(scratch), report)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except FileExistsError:
        raise BackupError(f"“{partial}”已存在:可能另一次备份正在进行") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    c = manifest.counts
    report(
        f"备份完成:{out}({human_size(out.stat().st_size)});数据表{len(c.tables)}张,"
        f"共{sum(c.tables.values())}行;附件{c.stored_files}个,缩略图{c.thumbnails}个,"
        f"任务结果{c.job_results}个"
    )
    return manifest


def _write(
    site: Site, secret_key: str, handle: IO[bytes], scratch: Path, report: Report
) -> Manifest:
    vendor = site.vendor
    writer = ArchiveWriter(handle)
    report(f"备份数据库({db.VENDOR_LABELS[vendor]})…")
    dump = scratch / "database"
    if vendor == "sqlite":
        snapshot = db.sqlite_copy(database=site.database, target=dump)
    else:
        snapshot = db.pg_dump(database=site.database, target=dump)
    member = writer.add_file(DATABASE_MEMBERS[vendor], dump)
    dump.unlink()
    report(f"数据库:{len(snapshot.tables)}张表,{human_size(member.size)}")
    writer.add_bytes(SECRET_KEY, secret_key.encode())

    if site.store is not None:
        counts = _write_store(site.store, writer, report)
    else:
        counts = _write_media(site.media_root, writer, report)
    manifest = Manifest(
        format=1,
        product="wenming",
        version=__version__,
        created_at=datetime.now().astimezone(),
        vendor=vendor,
        database_format="sqlite" if vendor == "sqlite" else "pg_dump-custom",
        migrations=snapshot.migrations,
        counts=Counts(tables=snapshot.tables, **counts),
        members=writer.members,
    )
    writer.close(manifest)
    return manifest


def _new_counts() -> dict[str, int]:
    counts = dict.fromkeys(("stored_files", "thumbnails", "job_results", "other_files"), 0)
    counts["media_bytes"] = 0
    return counts


def _write_store(store: ObjectStore, writer: ArchiveWriter, report: Report) -> dict[str, int]:
    """Every kept object streamed into the archive (never whole in memory), as media/…"""
    counts, progress = _new_counts(), Throttle(report)
    names = store.names()
    for index, name in enumerate(names, start=1):
        relative = PurePosixPath(name)
        try:
            size = store.size(name)
            with store.open(name) as source:
                member = writer.add_stream(media_member(relative), source, size=size, mtime=0)
        except FileNotFoundError:
            report(f"文件 {relative} 在备份过程中被删除,已跳过")
            continue
        _count(counts, relative, member.size)
        progress(
            f"对象存储中的文件:{index}/{len(names)},{human_size(counts['media_bytes'])}",
            final=index == len(names),
        )
    return counts


def _write_media(media_root: Path, writer: ArchiveWriter, report: Report) -> dict[str, int]:
    files = list(media_files(media_root))
    total = sum(path.stat().st_size for _, path in files)
    counts = _new_counts()
    progress = Throttle(report)
    for index, (relative, path) in enumerate(files, start=1):
        try:
            member = writer.add_file(media_member(relative), path)
        except FileNotFoundError:  # removed since listed (the spool is skipped): nothing to keep
            report(f"文件 {relative} 在备份过程中被删除,已跳过")
            continue
        _count(counts, relative, member.size)
        progress(
            f"文件:{index}/{len(files)},{human_size(counts['media_bytes'])} / {human_size(total)}",
            final=index == len(files),
        )
    return counts


# -- restore ----------------------------------------------------------------------------


def target_refusal(site: Site) -> str | None:
    """Why the target is not empty (in Chinese), or None when a restore may write into it."""
    if site.key_file.exists():
        return f"数据目录“{site.data_dir}”中已有密钥文件 secret_key"
    if site.store is not None:
        for name in site.store.names():
            return f"对象存储中已有文件(如 {name})"
    for relative, _ in media_files(site.media_root):
        return f"文件目录“{site.media_root}”中已有文件(如 {relative})"
    if site.vendor == "sqlite":
        if db.sqlite_tables(Path(site.database["NAME"])):
            return f"数据库文件“{site.database['NAME']}”中已有数据表"
    elif tables := db.pg_relations(site.database):
        return f"PostgreSQL 数据库“{site.database['NAME']}”不是空库(已有 {tables[0]} 等{len(tables)}个对象)"
    return None


def _newer_migrations(manifest: Manifest, known: set[tuple[str, str]]) -> list[str]:
    return [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    ]


def backup_restore(
    *, archive: Path, site: Site, known_migrations: set[tuple[str, str]], report: Report
) -> Manifest:
    """Restore ``archive`` into the empty ``site``; refuse (BackupError) and write nothing when
    the archive was changed, comes from another kind of database or a newer version, or the
    target is not empty."""
    with archive_open(archive) as tar:
        manifest = manifest_read(tar)
        vendor = site.vendor
        if manifest.vendor != vendor:
            raise BackupError(
                f"备份来自 {db.VENDOR_LABELS[manifest.vendor]} 数据库,目标是"
                f" {db.VENDOR_LABELS[vendor]}:不支持跨数据库类型恢复,请恢复到同类数据库"
            )
        if unknown := _newer_migrations(manifest, known_migrations):
            raise BackupError(
                f"备份来自更新的版本({manifest.version}),含本版本没有的数据库迁移"
                f"(如 {unknown[0]}):请先把本系统升级到该版本或更新版本再恢复"
            )
        if vendor == "postgresql":
            db.pg_tool("pg_restore")
        if refusal := target_refusal(site):
            raise BackupError(f"{refusal}。恢复只写入空的目标,不会覆盖已有数据")
        report(f"备份时间 {manifest.created_at:%Y-%m-%d %H:%M},版本 {manifest.version}")
        members_verify(tar, manifest, report)  # before: nothing written yet
        site.data_dir.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        try:
            with tempfile.TemporaryDirectory(dir=site.data_dir, prefix=".wenming-restore-") as tmp:
                _extract(tar, manifest, site, Path(tmp), written, report)
                _verify_written(manifest, written, report)  # after: what is on disk now
                if site.store is not None:
                    _store_put(site.store, written, report)
                if vendor == "postgresql":
                    report("载入 PostgreSQL 数据库(pg_restore)…")
                    db.pg_restore(database=site.database, dump=written[DATABASE_MEMBERS[vendor]])
        except BaseException:
            for name, path in written.items():  # the target was empty: leave it so
                path.unlink(missing_ok=True)
                if site.store is not None and name.startswith("media/"):
                    site.store.delete(name.removeprefix("media/"))
            raise
    _verify_tables(manifest, site, report)
    return manifest


def _target_path(name: str, manifest: Manifest, site: Site, scratch: Path) -> Path:
    if name == SECRET_KEY:
        return site.key_file
    if name == DATABASE_MEMBERS["sqlite"] and manifest.vendor == "sqlite":
        return Path(site.database["NAME"])
    if name == DATABASE_MEMBERS["postgresql"] and manifest.vendor == "postgresql":
        return scratch / "database.pgdump"
    if name.startswith("media/"):
        # into the object store after every digest is checked: kept in the scratch until then
        root = scratch / "media" if site.store is not None else site.media_root
        return root.joinpath(*name.split("/")[1:])
    raise BackupError(f"备份文件含有与数据库类型不符的成员“{name}”,已拒绝")


def _extract(
    tar: tarfile.TarFile,
    manifest: Manifest,
    site: Site,
    scratch: Path,
    written: dict[str, Path],
    report: Report,
) -> None:
    sqlite_target = Path(site.database["NAME"]) if manifest.vendor == "sqlite" else None
    if sqlite_target is not None and sqlite_target.exists():  # an empty file left by a connection
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_target}{suffix}").unlink(missing_ok=True)
    total = sum(m.size for m in manifest.members.values())
    done, progress = 0, Throttle(report)
    for info in member_infos(tar, manifest):
        if info.name == SECRET_KEY and info.size > SECRET_KEY_MAX_BYTES:
            raise tampered(info.name)
        target = _target_path(info.name, manifest, site, scratch)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(info)
        assert source is not None  # member_infos yields regular files only
        try:
            out = _open_new(target)
        except FileExistsError:
            raise BackupError(f"“{target}”已存在,恢复不会覆盖已有文件") from None
        written[info.name] = target
        with out:
            digest, size = copy_hashing(source, out)
        if digest != manifest.members[info.name].sha256:
            raise tampered(info.name)
        done += size
        progress(
            f"恢复文件:{len(written)}/{len(manifest.members)},{human_size(done)} / {human_size(total)}"
        )
    progress(f"恢复文件:{len(written)}个", final=True)


def _store_put(store: ObjectStore, written: dict[str, Path], report: Report) -> None:
    media = sorted(name for name in written if name.startswith("media/"))
    progress = Throttle(report)
    for index, name in enumerate(media, start=1):
        store.put(name.removeprefix("media/"), written[name])
        progress(f"写入对象存储:{index}/{len(media)}", final=index == len(media))


def _verify_written(manifest: Manifest, written: dict[str, Path], report: Report) -> None:
    progress = Throttle(report)
    for index, (name, path) in enumerate(sorted(written.items()), start=1):
        digest, size = file_digest(path)
        if digest != manifest.members[name].sha256 or size != manifest.members[name].size:
            raise BackupError(f"恢复后的文件“{path}”与清单中成员“{name}”的校验值不符")
        progress(f"复核已恢复的文件:{index}/{len(written)}", final=index == len(written))
    report(f"复核:{len(written)}个文件与清单的校验值(SHA-256)一致")


def _verify_tables(manifest: Manifest, site: Site, report: Report) -> None:
    if manifest.vendor == "sqlite":
        counts = db.sqlite_counts(Path(site.database["NAME"]))
    else:
        counts = db.pg_counts(site.database)
    for table, rows in sorted(manifest.counts.tables.items()):
        if counts.get(table) != rows:
            raise BackupError(
                f"恢复后数据表 {table} 有{counts.get(table, 0)}行,备份时为{rows}行:恢复不完整"
            )
    report(f"复核:{len(counts)}张数据表的行数与备份时一致,共{sum(counts.values())}行")


__all__ = ["MANIFEST", "BackupError", "Site", "backup_create", "backup_restore"]
