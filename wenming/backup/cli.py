"""``wenming backup`` and ``wenming restore``; :mod:`wenming.cli` only adds these parsers."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import IO

import wenming
from wenming.backup.archive import BackupError
from wenming.backup.services import STORE_PREFIXES, Site, backup_create, backup_restore

ARCHIVE_NAME = re.compile(r"^wenming-\d{8}-\d{6}\.tar$")
DEFAULT_DATA_DIR = Path(wenming.__file__).resolve().parent.parent / "var"  # as in settings


def _say(line: str) -> None:
    print(line, flush=True)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    import django

    django.setup()


def _site() -> Site:
    from django.conf import settings
    from django.db import connections

    from wenming.web.storage import local_path

    return Site(
        database=dict(connections["default"].settings_dict),
        data_dir=Path(settings.DATA_DIR),
        media_root=Path(settings.MEDIA_ROOT),
        store=None if local_path("files") is not None else DjangoStore(),
    )


class DjangoStore:
    """The object store of WENMING_STORAGE_URL, as the backup sees it (wenming.web.storage)."""

    def names(self) -> list[str]:
        from wenming.web.storage import stored_names

        return [name for prefix in STORE_PREFIXES for name in stored_names(prefix)]

    def size(self, name: str) -> int:
        from wenming.web.storage import store

        return int(store().size(name))

    def open(self, name: str) -> IO[bytes]:
        from wenming.web.storage import stored_open

        return stored_open(name)

    def put(self, name: str, source: Path) -> None:
        from wenming.web.storage import stored_put

        stored_put(name, source)

    def delete(self, name: str) -> None:
        from wenming.web.storage import store

        store().delete(name)


def archives_prune(directory: Path, *, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives this command named in ``directory``."""
    archives = sorted(p for p in directory.iterdir() if ARCHIVE_NAME.match(p.name))
    removed = archives[:-keep] if keep else []
    for path in removed:
        path.unlink()
    return removed


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    out = Path(args.out)
    if out.is_dir():
        out = out / f"wenming-{datetime.now().astimezone():%Y%m%d-%H%M%S}.tar"
    elif args.keep:
        raise BackupError("--keep 只能与目录一起使用(备份写入该目录,保留最近的若干份)")
    backup_create(site=_site(), secret_key=settings.SECRET_KEY, out=out, report=_say)
    if args.keep:
        for path in archives_prune(out.parent, keep=args.keep):
            _say(f"已删除较早的备份:{path.name}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir or os.environ.get("WENMING_DATA_DIR") or DEFAULT_DATA_DIR)
    data_dir = data_dir.resolve()
    os.environ["WENMING_DATA_DIR"] = str(data_dir)
    if (data_dir / "secret_key").exists():
        raise BackupError(
            f"数据目录“{data_dir}”中已有密钥文件 secret_key。恢复只写入空的目标,不会覆盖已有数据"
        )
    key_from_environment = bool(os.environ.get("WENMING_SECRET_KEY"))
    if not key_from_environment:
        # settings would generate a key file into the empty data directory; the archive's key
        # goes there instead, and this process signs nothing
        os.environ["WENMING_SECRET_KEY"] = "restore-in-progress"
    _setup()
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    connections.close_all()
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    site = _site()
    backup_restore(archive=Path(args.archive), site=site, known_migrations=known, report=_say)
    _say(f"恢复完成:数据目录 {data_dir},已恢复密钥、数据库和全部文件。")
    if key_from_environment:
        _say("注意:已设置环境变量 WENMING_SECRET_KEY,它优先于恢复的密钥文件;请确认它与备份时相同。")
    _say(f"启动:WENMING_DATA_DIR={data_dir} wenming serve(启动时自动完成数据库升级)")
    return 0


def _keep(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10000:
        raise argparse.ArgumentTypeError("请填写1到10000之间的整数")
    return int(text)


def _run(command: argparse.Namespace) -> int:
    try:
        return int(command.backup_func(command))
    except BackupError as exc:
        print(f"错误:{exc}", file=sys.stderr)
    except OSError as exc:  # a full disk, a directory without permission …
        where = f"“{exc.filename}”" if exc.filename else ""
        print(f"错误:读写文件{where}失败({exc.strerror or exc})", file=sys.stderr)
    return 1


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="备份数据库、全部存储文件和密钥到一个文件")
    p.add_argument("out", metavar="OUT", help="备份文件名,或一个目录(文件名按时间生成)")
    p.add_argument("--keep", type=_keep, metavar="N", help="OUT 为目录时,只保留最近的若干份备份")
    p.set_defaults(func=_run, backup_func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复到空的数据目录和空数据库")
    p.add_argument("archive", metavar="ARCHIVE", help="wenming backup 生成的备份文件")
    p.add_argument("--data-dir", metavar="D", help="恢复到此数据目录(默认为 WENMING_DATA_DIR)")
    p.set_defaults(func=_run, backup_func=cmd_restore)
