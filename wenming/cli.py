"""The ``wenming`` command: serve the product, load demo data, work with frameworks, score,
back up and restore (:mod:`wenming.backup.cli`).

Framework and scoring sub-commands that read files run without a database; those that touch
stored editions (``import``, and ``export``/``show``/``diff``/``score`` given ``code@edition``)
set Django up first. Errors are printed in Chinese and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wenming.backup.cli import add_parsers as add_backup_parsers
from wenming.core.diff import KIND_LABELS, framework_diff
from wenming.core.engine import Engine, Scorecard
from wenming.core.errors import ActionRefused, FileInvalid
from wenming.core.formats import XLSX_SUFFIXES, YAML_SUFFIXES, framework_load, framework_save
from wenming.core.framework import Framework
from wenming.core.mapping import HEADER as MAPPING_HEADER
from wenming.core.mapping import (
    MapKind,
    mapping_from_xlsx,
    mapping_table,
    mapping_to_xlsx,
    propose_mapping,
)
from wenming.core.points import fmt, fmt_decimal
from wenming.core.results import results_load
from wenming.review.cli import add_parsers as add_report_parsers
from wenming.server import CommandError, cmd_serve, cmd_worker
from wenming.server import django_setup as _django


def _is_file_ref(ref: str) -> bool:
    return Path(ref).suffix.lower() in (*YAML_SUFFIXES, *XLSX_SUFFIXES) or Path(ref).exists()


def _framework(ref: str) -> Framework:
    """A framework from a file path, or from the database as ``code@edition`` / ``code``."""
    if _is_file_ref(ref):
        return framework_load(Path(ref))
    _django()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.frameworks.models import FrameworkEdition
    from wenming.frameworks.selectors import framework_edition_get, framework_of

    try:
        return framework_of(framework_edition_get(key=ref))
    except FrameworkEdition.DoesNotExist:
        raise CommandError(f"找不到文件或已导入的框架“{ref}”") from None


# -- text output ----------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(h, widths[i], right=i in right) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(_pad(str(c), widths[i], right=i in right) for i, c in enumerate(r)) for r in rows
    ]
    return "\n".join(lines)


def _summary(fw: Framework) -> str:
    leaves = sum(1 for _ in fw.leaves(bonus=False))
    bonus = f",加分上限{fmt_decimal(fw.bonus.cap)}分" if fw.bonus else ""
    return f"{fw.name}({fw.edition}版):{leaves}条测评内容,总分{fmt_decimal(fw.total)}{bonus}"


# -- commands -------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            fw = framework_load(Path(name))
        except FileInvalid as exc:
            failed += 1
            print(f"✗ {name}\n{exc.report()}", file=sys.stderr)
        else:
            print(f"✓ {name}:{_summary(fw)}")
    return 1 if failed else 0


def cmd_import(args: argparse.Namespace) -> int:
    frameworks = []
    for name in args.files:  # validate all first: nothing is imported if any file is bad
        frameworks.append(framework_load(Path(name)))
    _django()
    from django.db import transaction

    # imported here: it loads models, which exist only after django_setup()
    from wenming.frameworks.services import FrameworkLocked, framework_import

    labels = {"created": "已导入", "updated": "已更新", "unchanged": "无变化"}
    try:
        with transaction.atomic():
            done = [framework_import(framework=fw) for fw in frameworks]
    except FrameworkLocked as exc:
        raise CommandError(str(exc)) from None
    for edition, what in done:
        print(f"{labels[what]}:{edition.key} {edition.name}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    fw = _framework(args.framework)
    framework_save(fw, Path(args.output))
    print(f"已导出:{args.output}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    fw = _framework(args.framework)
    engine = Engine(fw)
    print(_summary(fw) + (f" [{fw.notice}]" if fw.notice else ""))
    rows = []
    for node, _, depth in fw.walk():
        style = engine.styles[node.code].label if node.is_leaf else ""
        mark = "[加分] " if node.code in engine.bonus_codes and depth == 1 else ""
        rows.append(
            [node.code, "  " * (depth - 1) + mark + node.name, fmt_decimal(node.points), style]
        )
    print(_table(["编码", "指标", "分值", "评分方式"], rows, right={2}))
    bands = sorted(fw.bands, key=lambda b: -b.min)
    print("等级:" + ";".join(f"{b.name} ≥ {fmt_decimal(b.min)}" for b in bands))
    for v in fw.vetoes:
        state = "(状态,按评分日是否存在判断)" if v.kind == "state" else ""
        print(f"一票否决 {v.code}:{v.name}{state}")
    for n in fw.negative_list:
        pts = f" {fmt_decimal(n.points)}分" if n.points else ""
        cap = f",累计最多扣{fmt_decimal(n.max)}分" if n.max is not None else ""
        print(f"负面清单 {n.code}:{n.name}({n.effect.label}{pts},回溯{n.window_months}个月{cap})")
    if fw.negative_cap is not None:
        print(f"负面清单扣分合计最多{fmt_decimal(fw.negative_cap)}分")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    old, new = _framework(args.old), _framework(args.new)
    changes = framework_diff(old, new)
    rows = propose_mapping(old, new)
    if args.xlsx:
        Path(args.xlsx).write_bytes(mapping_to_xlsx(rows, old, new))
    if not changes:
        print("两个版本的指标完全相同。")
    else:
        for change in changes:
            print(f"{KIND_LABELS[change.kind]}  {change.text}")
        counts = {k: sum(1 for c in changes if c.kind == k) for k in KIND_LABELS}
        print("合计:" + ",".join(f"{KIND_LABELS[k]}{n}项" for k, n in counts.items() if n))
        print()
        print(f"对应关系建议({old.edition}版 → {new.edition}版,请核对后确认):")
        print(_table(MAPPING_HEADER, mapping_table(rows, old, new), right={5}))
        tally = {k: sum(1 for r in rows if r.kind is k) for k in MapKind}
        print("合计:" + ",".join(f"{k.label}{n}行" for k, n in tally.items() if n))
    if args.xlsx:
        print(f"对应关系已写入:{args.xlsx}(可编辑“对应方式”和编码后导入确认)")
    return 0


def _stored(ref: str) -> Any:
    _django()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.frameworks.models import FrameworkEdition
    from wenming.frameworks.selectors import framework_edition_get

    try:
        return framework_edition_get(key=ref)
    except FrameworkEdition.DoesNotExist:
        raise CommandError(f"找不到已导入的框架“{ref}”(应写作 标识@版本)") from None


def _person(username: str) -> Any:
    from django.contrib.auth.models import User

    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"找不到账号“{username}”") from None


def cmd_map_confirm(args: argparse.Namespace) -> int:
    old, new = _stored(args.old), _stored(args.new)
    from django.db import transaction

    # imported here: it loads models, which exist only after django_setup()
    from wenming.core.errors import ActionRefused
    from wenming.frameworks.mappings import edition_mapping_confirm
    from wenming.frameworks.selectors import framework_of

    old_fw, new_fw = framework_of(old), framework_of(new)
    if args.xlsx:
        try:
            data = Path(args.xlsx).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{args.xlsx}”:{exc.strerror}") from None
        rows = mapping_from_xlsx(data, old_fw, new_fw)
    else:
        rows = propose_mapping(old_fw, new_fw)
    try:
        with transaction.atomic():
            edition_mapping_confirm(
                actor=_person(args.user),
                old=old,
                new=new,
                rows=rows,
                carry_entries=args.carry_entries,
            )
    except ActionRefused as exc:
        raise CommandError(exc.message) from None
    allowed = "允许" if args.carry_entries else "不允许"
    print(f"已确认对应关系:{old} → {new},共{len(rows)}行;{allowed}沿用自评填报")
    return 0


def cmd_carry(args: argparse.Namespace) -> int:
    old, new = _stored(args.old), _stored(args.new)
    # imported here: it loads models, which exist only after django_setup()
    from wenming.core.errors import ActionRefused
    from wenming.frameworks.mappings import edition_mapping_get
    from wenming.organizations.models import Unit
    from wenming.web.mapping_views import unit_carry

    try:
        unit = Unit.objects.select_related("unit_type").get(name=args.unit)
    except Unit.DoesNotExist:
        raise CommandError(f"找不到单位“{args.unit}”") from None
    try:
        mapping = edition_mapping_get(old=old, new=new)
        report = unit_carry(actor=_person(args.user), unit=unit, mapping=mapping)
    except ActionRefused as exc:
        raise CommandError(exc.message) from None
    print(f"{unit.name}:{old} → {new},已沿用{report.carried}项")
    if not mapping.carry_entries:
        print("测评办公室未允许沿用自评填报,自评需在新版本中重新填写。")
    if report.skipped:
        print(f"未能沿用{len(report.skipped)}项:")
        for line in report.lines():
            print(f"  {line}")
    return 0


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    return {
        "unit": card.result.unit,
        "as_of": card.result.as_of.isoformat(),
        "nodes": [
            {"code": c, "name": n, "depth": d, "points": fmt(m), "score": fmt(s)}
            for c, n, d, m, s in card.rows()
        ],
        "base": fmt(card.base),
        "bonus": fmt(card.bonus),
        "deductions": fmt(card.deductions),
        "total": fmt(card.total),
        "grade": card.grade,
        "vetoed": card.vetoed,
        "suspended": card.suspended,
        "revoked": card.revoked,
        "veto_reasons": card.veto_reasons,
        "explanation": card.explain(),
    }


def cmd_score(args: argparse.Namespace) -> int:
    fw = _framework(args.framework)
    engine = Engine(fw)
    card = engine.score(results_load(engine, Path(args.results)))
    if args.json:
        print(json.dumps(scorecard_json(card), ensure_ascii=False, indent=2))
        return 0
    title = card.result.unit or Path(args.results).stem
    print(f"{title} · {fw.name}({fw.edition}版) · 评分日期 {card.result.as_of.isoformat()}")
    rows = [[c, "  " * (d - 1) + n, fmt(m), fmt(s)] for c, n, d, m, s in card.rows()]
    print(_table(["编码", "指标", "分值", "得分"], rows, right={2, 3}))
    parts = [f"基本分 {fmt(card.base)}"]
    if card.components:
        parts.append(f"计入分项后 {fmt(card.weighted)}")
    if fw.bonus:
        parts.append(f"加分 {fmt(card.bonus)}")
    if card.deductions:
        parts.append(f"负面清单扣分 {fmt(card.deductions)}")
    print(";".join(parts))
    print(f"总分:{fmt(card.total)}    等级:{card.grade}")
    if card.suspended:
        print("状态:暂缓(负面清单)")
    explanation = card.explain()
    if explanation:
        print("说明:")
        for line in explanation:
            print(f"  {line}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.demo import demo_load

    for line in demo_load():
        print(line)
    if args.serve:
        return cmd_serve(
            argparse.Namespace(
                production=False,
                host=args.host,
                port=args.port,
                threads=4,
                no_worker=False,
                no_setup=False,
            )
        )
    return 0


def cmd_draw_verify(args: argparse.Namespace) -> int:
    _django()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.draws.models import Draw
    from wenming.draws.services import draw_verify

    draw = Draw.objects.select_related("campaign").filter(pk=args.id).first()
    if draw is None:
        raise CommandError(f"找不到抽签记录 #{args.id}")
    verdict = draw_verify(draw)
    version = f"抽签算法{draw.algorithm_label}({draw.algorithm})"  # the record's name, to compare
    print(f"{draw}(#{draw.pk},{version},摘要 {draw.digest}):{verdict.label}")
    for problem in verdict.problems:
        print(f"  {problem}")
    return 0 if verdict.ok else 1


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _django()
    # imported here: it loads models, which exist only after django_setup()
    from wenming.audit.verify import verification_run, verification_summary

    verification = verification_run(
        progress=None if args.quiet else _audit_progress,
    )
    if not args.quiet:
        print(file=sys.stderr)
    print(verification_summary(verification))
    return 0 if verification.ok else 1


def _audit_progress(done: int, total: int) -> None:
    print(f"\r已核验 {done}/{total} 条", end="", file=sys.stderr, flush=True)


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wenming manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wenming", description="文明创建测评平台")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def add_server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1", help="监听地址(默认 127.0.0.1)")
        p.add_argument("--port", type=int, default=8000, help="端口(默认 8000)")

    p = sub.add_parser("serve", help="启动网站")
    p.add_argument("--production", action="store_true", help="生产模式(关闭调试,waitress 服务)")
    # 4, not more: under load, more threads of one process cost CPU fighting over Python's lock
    # and SQLite's (README, logged-in list pages); run more processes instead
    p.add_argument("--threads", type=int, default=4, help="生产模式的线程数(默认 4)")
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="不启动后台任务进程(另行运行 wenming worker)",
    )
    p.add_argument(
        "--no-setup",
        action="store_true",
        help="不执行数据库迁移和静态文件收集(多台服务器时由部署步骤统一执行一次)",
    )
    add_server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "worker", help="启动后台任务进程(配置了 Redis 时用 RQ 队列,否则用数据库队列)"
    )
    p.add_argument("--production", action="store_true", help="生产模式")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="建库并载入演示数据,打印演示账号")
    p.add_argument("--serve", action="store_true", help="载入后启动网站")
    add_server_options(p)
    p.set_defaults(func=cmd_demo)

    fw = sub.add_parser("framework", help="测评体系文件:校验、导入、导出、查看、比较")
    fsub = fw.add_subparsers(dest="action", required=True, metavar="操作")
    p = fsub.add_parser("validate", help="校验框架文件(.yaml/.xlsx)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)
    p = fsub.add_parser("import", help="把框架文件导入数据库(全部通过校验才导入)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_import)
    p = fsub.add_parser("export", help="导出为 .yaml 或 .xlsx")
    p.add_argument("framework", help="文件路径或 标识@版本")
    p.add_argument("output")
    p.set_defaults(func=cmd_export)
    p = fsub.add_parser("show", help="显示指标树")
    p.add_argument("framework", help="文件路径或 标识@版本")
    p.set_defaults(func=cmd_show)
    p = fsub.add_parser("diff", help="比较两个版本,并提出指标对应关系")
    p.add_argument("old", help="原版本:文件路径或 标识@版本")
    p.add_argument("new", help="新版本:文件路径或 标识@版本")
    p.add_argument("--xlsx", metavar="文件", help="把对应关系建议写成 .xlsx,供编辑确认")
    p.set_defaults(func=cmd_diff)
    p = fsub.add_parser("map-confirm", help="确认两个已导入版本的指标对应关系")
    p.add_argument("old", help="原版本:标识@版本")
    p.add_argument("new", help="新版本:标识@版本")
    p.add_argument("--xlsx", metavar="文件", help="编辑过的对应关系 .xlsx(不填则按建议确认)")
    p.add_argument("--carry-entries", action="store_true", help="允许单位沿用自评填报")
    p.add_argument("--user", required=True, help="确认人账号(测评办公室人员)")
    p.set_defaults(func=cmd_map_confirm)
    p = fsub.add_parser("carry", help="按已确认的对应关系把单位的佐证和自评沿用到新版本")
    p.add_argument("old", help="原版本:标识@版本")
    p.add_argument("new", help="新版本:标识@版本")
    p.add_argument("--unit", required=True, help="单位名称")
    p.add_argument("--user", required=True, help="操作人账号(本单位填报员或管理员)")
    p.set_defaults(func=cmd_carry)

    p = sub.add_parser("score", help="按框架为一个单位的结果文件计分")
    p.add_argument("--framework", required=True, help="框架文件或 标识@版本")
    p.add_argument("--results", required=True, help="结果文件(.yaml/.xlsx)")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_score)

    dr = sub.add_parser("draw", help="现场抽签记录")
    dsub = dr.add_subparsers(dest="action", required=True, metavar="操作")
    p = dsub.add_parser("verify", help="按记录重新抽取并核验(失败时退出码为1)")
    p.add_argument("id", type=int, help="抽签记录编号")
    p.set_defaults(func=cmd_draw_verify)

    add_backup_parsers(sub)
    add_report_parsers(sub, setup=_django)

    au = sub.add_parser("audit", help="审计记录")
    asub = au.add_subparsers(dest="action", required=True, metavar="操作")
    p = asub.add_parser("verify", help="逐条核验审计链(被改动时退出码为1)")
    p.add_argument("--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("manage", help="运行 Django 管理命令", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FileInvalid as exc:
        print(exc.report(), file=sys.stderr)
    except (CommandError, ActionRefused) as exc:
        print(f"错误:{exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
