"""``wenming report check FILE [--against PATH …] [--json]``: a report's copied share and its
unfilled placeholders, for offices and for us.

FILE and each PATH are a .txt/.docx/.pdf file or a folder of them (read recursively). Without
``--against`` the report is checked against the reference library stored in the database. When
FILE is a folder, each of its files is checked against the sources and against the folder's
other files (a campaign's reports against each other); ``--json`` then prints one object a line,
each with the file's name under ``"file"``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wenming.core.copycheck import CheckResult, Fingerprinted, Source, compare, fingerprint
from wenming.core.errors import ActionRefused
from wenming.documents.reading import TEXT_SUFFIXES, DocumentRefused, report_text

MAX_FILES = 20_000


class CommandError(ActionRefused):
    """The check cannot run; the message says why in Chinese (``wenming`` prints it, exit 1)."""


_setup: list[Callable[[], object]] = []  # Django's set-up, given by wenming.cli

KIND_LABELS = {
    "marks": "符号占位",
    "year": "年份缺数字",
    "place": "地名空缺",
    "empty_quote": "空引号或括号",
    "blank": "下划线空白",
    "missing_number": "缺少数字",
}


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise CommandError(f"找不到文件或文件夹:{path}")
    if path.is_file():
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise CommandError(f"{path.name}:只能读取 .txt、.docx 或 .pdf 格式的文件")
        return [path]
    found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    if len(found) > MAX_FILES:
        raise CommandError(f"{path}:文件过多(上限{MAX_FILES}个)")
    return found


def _read(path: Path) -> str:
    try:
        content = path.read_bytes()
    except OSError:
        raise CommandError(f"{path.name}:无法读取该文件") from None
    try:
        return report_text(name=path.name, content=content).text
    except DocumentRefused as exc:
        raise CommandError(f"{path.name}:{exc}") from None


def _fingerprinted(paths: list[Path]) -> Iterator[tuple[Path, Fingerprinted]]:
    for path in paths:
        yield path, fingerprint(_read(path))


def _library_sources() -> tuple[list[Source], dict[str, str]]:
    for setup in _setup:
        setup()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.review.selectors import library_sources

    sources, names = library_sources()
    if not sources:
        raise CommandError("参考库中还没有范文,请先上传范文或用 --against 指定对照文件")
    return sources, names


def summary(name: str, result: CheckResult, names: dict[str, str]) -> list[str]:
    """The check as readable Chinese lines."""
    lines = [
        f"{name}:共{result.chars}字,与来源相同{result.copied_chars}字,占{result.rate:.1%}",
    ]
    if result.sources:
        lines.append("来源:")
        lines += [f"  {names.get(k, k)}:{c}字" for k, c in result.sources]
    copied = [p for p in result.paragraphs if p.copied]
    if copied:
        lines.append(f"抄袭段落({len(copied)}段):")
        for p in copied:
            source = p.sources[0][0]
            lines.append(
                f"  第{p.index}段:{p.copied_chars}/{p.chars}字,主要来自{names.get(source, source)}"
            )
    if result.placeholders:
        lines.append(f"未填写的占位({len(result.placeholders)}处):")
        lines += [
            f"  第{h.paragraph}段“{h.text}”:{KIND_LABELS[h.kind]}" for h in result.placeholders
        ]
    else:
        lines.append("未发现未填写的占位。")
    return lines


def cmd_report_check(args: argparse.Namespace) -> int:
    targets = _files(Path(args.file))
    if not targets:
        raise CommandError(f"{args.file}:文件夹中没有 .txt、.docx 或 .pdf 文件")
    names: dict[str, str] = {}
    sources: list[Source] = []
    if args.against:
        for raw in args.against:
            for path, fp in _fingerprinted(_files(Path(raw))):
                key = str(path.resolve())
                names[key] = path.stem
                sources.append(Source(key, fp.hashes, fp.positions))
    else:
        sources, names = _library_sources()
    checked = list(_fingerprinted(targets))
    peers = len(checked) > 1
    if peers:
        for path, _ in checked:
            names[str(path.resolve())] = path.stem
    for path, fp in checked:
        key = str(path.resolve())
        others = (
            [Source(str(p.resolve()), f.hashes, f.positions) for p, f in checked if p != path]
            if peers
            else []
        )
        result = compare(fp, [s for s in sources if s.key != key] + others)
        if args.json:
            data: dict[str, Any] = result.as_json(names)
            if peers:
                data = {"file": path.name, **data}
            print(json.dumps(data, ensure_ascii=False, indent=None if peers else 2))
        else:
            print("\n".join(summary(path.name, result, names)))
            if peers:
                print()
    return 0


def add_parsers(sub: Any, *, setup: Callable[[], object]) -> None:
    _setup[:] = [setup]
    report = sub.add_parser("report", help="材料审查:检查报告的抄袭比例和未填写的占位")
    rsub = report.add_subparsers(dest="action", required=True, metavar="操作")
    p = rsub.add_parser("check", help="检查报告(.txt/.docx/.pdf 文件或文件夹)")
    p.add_argument("file", help="报告文件或文件夹")
    p.add_argument(
        "--against",
        action="append",
        metavar="路径",
        help="对照的文件或文件夹(可多次指定;不指定则对照数据库中的参考库)",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_report_check)
