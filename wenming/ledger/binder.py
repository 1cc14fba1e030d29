"""The inspection binder (迎检材料): one ZIP organised by indicator, built in the background.

Folders follow the framework tree ("A 领导班子建设/A1 …/A1.2 理论学习中心组学习/"); each
indicator folder holds its explanation and one folder per linked record with the record's
text and files. An index sheet (.xlsx) and a table of contents (.pdf) sit at the top. Files
are copied from the store in chunks straight into the ZIP, so memory stays flat whatever the
binder's size; photos and Office files are stored without recompression.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from openpyxl import Workbook

from wenming.attachments.models import Attachment
from wenming.attachments.services import content_path, safe_name
from wenming.core.evidence import STATUS_LABELS
from wenming.core.fonts import font_for
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.ledger.models import Activity, ActivityIndicator
from wenming.ledger.selectors import EvidenceRow, evidence_status

COMPRESSED_KINDS = {"image", "pdf", "word", "excel"}


def _folder(code: str, name: str) -> str:
    return safe_name(f"{code} {name}")[:60]


@register_job("binder")
def build_binder(job: Job, progress: Progress) -> Path:
    unit = job.unit
    assert unit is not None
    edition = FrameworkEdition.objects.get(pk=job.params["edition"])
    today = timezone.localdate()
    rows = evidence_status(unit=unit, edition=edition, as_of=today)
    parents = engine_of(edition).parent
    links = defaultdict(list)
    for code, activity_id in ActivityIndicator.objects.filter(
        unit=unit, edition=edition
    ).values_list("code", "activity_id"):
        links[code].append(activity_id)
    activities = {
        a.pk: a
        for a in Activity.objects.filter(unit=unit).select_related("activity_type", "department")
    }
    files = defaultdict(list)
    for attachment in (
        Attachment.objects.filter(unit=unit, owner_type="ledger.activity")
        .select_related("file")
        .order_by("id")
    ):
        files[int(attachment.owner_id)].append(attachment)
    total = sum(len(files[a]) + 1 for ids in links.values() for a in ids) + 2
    done = 0
    root = safe_name(f"{unit.name}迎检材料")
    descriptor, target = tempfile.mkstemp(dir=result_dir(), suffix=".zip")
    os.close(descriptor)
    index = Workbook(write_only=True)
    sheet = index.create_sheet("索引")
    sheet.append(
        [
            "指标编码",
            "指标名称",
            "佐证状态",
            "记录日期",
            "记录类型",
            "记录标题",
            "文件",
            "ZIP中的路径",
        ]
    )
    paths: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for row in rows:
            node = row.node
            parent = paths.get(parents.get(node.code) or "", root)
            folder = f"{parent}/{_folder(node.code, node.name)}"
            paths[node.code] = folder
            if not node.is_leaf and not links.get(node.code):
                continue
            text = [
                f"{node.code} {node.name}",
                f"测评要求:{node.requirement}",
                f"佐证状态:{row.label}",
            ]
            text += [f"  - {c.reason}" for c in row.checks]
            text += ["", "说明:", row.explanation or "(未填写说明)"]
            archive.writestr(
                f"{folder}/说明.txt", "\n".join(text), compress_type=zipfile.ZIP_STORED
            )
            for activity_id in links.get(node.code, []):
                activity = activities[activity_id]
                record = safe_name(f"{activity.day:%Y-%m-%d} {activity.title}")[:60]
                lines = [
                    f"标题:{activity.title}",
                    f"类型:{activity.activity_type.name}",
                    f"日期:{activity.day:%Y-%m-%d}",
                    f"地点:{activity.place}",
                    f"组织科室:{activity.department.name if activity.department else ''}",
                    f"参加人数:{activity.participants}",
                    f"参加人员:{activity.participant_names}",
                    "",
                    activity.description,
                ]
                archive.writestr(
                    f"{folder}/{record}/记录.txt",
                    "\n".join(lines),
                    compress_type=zipfile.ZIP_STORED,
                )
                done += 1
                seen: set[str] = set()
                for attachment in files.get(activity_id, []):
                    name = _unique(attachment.name, seen)
                    arcname = f"{folder}/{record}/{name}"
                    kind = (
                        zipfile.ZIP_STORED
                        if attachment.file.kind in COMPRESSED_KINDS
                        else zipfile.ZIP_DEFLATED
                    )
                    archive.write(content_path(attachment.file.sha256), arcname, compress_type=kind)
                    sheet.append(
                        [
                            node.code,
                            node.name,
                            row.label,
                            f"{activity.day:%Y-%m-%d}",
                            activity.activity_type.name,
                            activity.title,
                            attachment.name,
                            arcname,
                        ]
                    )
                    done += 1
                    if done % 20 == 0:
                        progress(done, total, f"正在打包 {node.code}")
        progress(done, total, "正在生成索引和目录")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as sheet_file:
            index.save(sheet_file.name)
            archive.write(sheet_file.name, f"{root}/00_索引.xlsx")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf_file:
            _contents_pdf(pdf_file.name, unit.name, edition.name, rows, links)
            archive.write(pdf_file.name, f"{root}/00_目录.pdf")
    progress(total, total, "完成")
    Job.objects.filter(pk=job.pk).update(result_name=f"{root}.zip")
    return Path(target)


def _unique(name: str, seen: set[str]) -> str:
    candidate, n = name, 1
    while candidate in seen:
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem}({n}).{suffix}" if dot else f"{name}({n})"
        n += 1
    seen.add(candidate)
    return candidate


def _contents_pdf(
    path: str, unit: str, framework: str, rows: list[EvidenceRow], links: dict[str, list[int]]
) -> None:
    pdf = FPDF()
    text = unit + framework + "".join(row.node.code + row.node.name for row in rows)
    font, face = font_for(
        text + "迎检材料目录测评体系生成日期条完整不待人工确认",
        cache_dir=Path(settings.MEDIA_ROOT) / "fonts",
    )
    pdf.add_font("cjk", fname=str(font), collection_font_number=face)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, text=f"{unit}迎检材料目录", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        7,
        text=f"测评体系:{framework}    生成日期:{timezone.localdate():%Y-%m-%d}",
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(3)
    for row in rows:
        indent = (row.depth - 1) * 6
        count = len(links.get(row.node.code, []))
        status = STATUS_LABELS[row.status] if row.node.is_leaf else ""
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_font("cjk", size=11 if row.depth == 1 else 10)
        width = pdf.epw - indent - 45
        pdf.cell(width, 6.5, text=f"{row.node.code} {row.node.name}"[:48])
        pdf.cell(20, 6.5, text=f"{count}条" if row.node.is_leaf else "", align="R")
        pdf.cell(25, 6.5, text=status, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.output(path)
