"""The inspection binder (迎检材料): one ZIP organised by indicator, built in the background.

Folders follow the framework tree ("A 领导班子建设/A1 …/A1.2 理论学习中心组学习/"); each
indicator folder holds its explanation and one folder per linked record with the record's
text and files. An index sheet (.xlsx) and a table of contents (.pdf) sit at the top. Files
are copied by the kernel from the store straight into the ZIP (``wenming/attachments/zipcopy.py``),
so memory stays flat whatever the binder's size; nothing is recompressed.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import TTFFont

from wenming.accounts.scope import unit_get_for_user
from wenming.attachments.models import Attachment, StoredFile
from wenming.attachments.services import safe_name
from wenming.attachments.zipcopy import ZipWriter
from wenming.core.evidence import STATUS_LABELS
from wenming.core.fonts import font_for
from wenming.core.xlsx_safe import new_workbook
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.jobs.models import Job
from wenming.jobs.parallel import in_parallel
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.ledger.models import Activity, ActivityIndicator
from wenming.ledger.selectors import EvidenceRow, evidence_status
from wenming.organizations.models import Unit

INDEX_HEADER = [
    "指标编码", "指标名称", "佐证状态", "记录日期", "记录类型", "记录标题", "文件", "ZIP中的路径",
]  # fmt: skip


def _folder(code: str, name: str) -> str:
    return safe_name(f"{code} {name}")[:60]


class Record:
    """What the binder shows of one ledger activity: its folder name and its 记录.txt (the
    same in every indicator folder it appears in), made once from plain values."""

    __slots__ = ("day", "folder", "kind", "text", "title")

    def __init__(
        self,
        title: str,
        kind: str,
        day: date,
        place: str,
        department: str,
        participants: int,
        names: str,
        description: str,
    ) -> None:
        self.title, self.kind, self.day = title, kind, day.isoformat()  # YYYY-MM-DD
        self.folder = safe_name(f"{self.day} {title}")[:60]
        self.text = (
            f"标题:{title}\n类型:{kind}\n日期:{self.day}\n地点:{place}\n"
            f"组织科室:{department}\n参加人数:{participants}\n参加人员:{names}\n\n{description}"
        ).encode()


class Entry(NamedTuple):
    """One file of the binder: a text, or a stored attachment with the index line about it."""

    arcname: str
    code: str
    text: bytes
    stored: StoredFile | None
    index_line: tuple[str, ...] | None


@register_job("binder")
def build_binder(job: Job, progress: Progress) -> Path:
    assert job.unit_id is not None
    # asked again as the owner when the job runs (the unit may have left their scope since)
    unit = unit_get_for_user(job.owner, job.unit_id)
    edition = FrameworkEdition.objects.get(pk=job.params["edition"])
    rows = evidence_status(unit=unit, edition=edition, as_of=timezone.localdate())
    links: dict[str, list[int]] = defaultdict(list)
    for code, activity_id in ActivityIndicator.objects.filter(
        unit=unit, edition=edition
    ).values_list("code", "activity_id"):
        links[code].append(activity_id)
    root = safe_name(f"{unit.name}迎检材料")
    with tempfile.TemporaryDirectory() as scratch:
        # The table of contents (the slowest part to make) is drawn by a side process from
        # here on (see wenming/jobs/parallel.py), forked before the ZIP writer starts its
        # copier thread so that the child never inherits a thread's half-held locks. This
        # process plans the folders, writes the texts and the index sheet while the copier
        # has the kernel copy the files.
        contents_path, index_path = Path(scratch) / "contents.pdf", Path(scratch) / "index.xlsx"
        contents = in_parallel(
            _contents_pdf, str(contents_path), unit.name, edition.name, rows, links
        )
        plan = _plan(root, rows, engine_of(edition).parent, links, _records(unit), _files(unit))
        total = len(plan) + 1
        descriptor, target = tempfile.mkstemp(dir=result_dir(), suffix=".zip")
        # written through mkstemp's descriptor: reopening the path with O_TRUNC would make ext4
        # flush the whole file to disk on close (its replace-by-truncate heuristic)
        try:
            with ZipWriter(descriptor) as archive:
                for done, (arcname, code, text, stored, _) in enumerate(plan, start=1):
                    if stored is None:
                        archive.add_bytes(arcname, text)
                    else:
                        archive.add_stored(arcname, stored)
                    if done % 200 == 0:
                        progress(done, total, f"正在打包 {code}")
                progress(len(plan), total, "正在生成索引和目录")
                _index_sheet(index_path, plan)
                archive.add_path(f"{root}/00_索引.xlsx", index_path)
                contents()
                archive.add_path(f"{root}/00_目录.pdf", contents_path)
        finally:
            os.close(descriptor)
    progress(total, total, "完成")
    Job.objects.filter(pk=job.pk).update(result_name=f"{root}.zip")
    return Path(target)


def _records(unit: Unit) -> dict[int, Record]:
    fields = (
        "pk", "title", "activity_type__name", "day", "place", "department__name",
        "participants", "participant_names", "description",
    )  # fmt: skip
    return {
        pk: Record(title, kind, day, place, department or "", participants, names, description)
        for pk, title, kind, day, place, department, participants, names, description in (
            Activity.objects.filter(unit=unit).values_list(*fields)
        )
    }


def _files(unit: Unit) -> dict[int, list[tuple[str, StoredFile]]]:
    files: dict[int, list[tuple[str, StoredFile]]] = defaultdict(list)
    for owner_id, name, file_id, sha256, size, crc32 in (
        Attachment.objects.filter(unit=unit, owner_type="ledger.activity")
        .order_by("id")
        .values_list("owner_id", "name", "file_id", "file__sha256", "file__size", "file__crc32")
    ):
        stored = StoredFile(pk=file_id, sha256=sha256, size=size, crc32=crc32)
        files[int(owner_id)].append((name, stored))
    return files


def _plan(
    root: str,
    rows: list[EvidenceRow],
    parents: dict[str, str | None],
    links: dict[str, list[int]],
    records: dict[int, Record],
    files: dict[int, list[tuple[str, StoredFile]]],
) -> list[Entry]:
    """Every entry of the ZIP in order, with its path: folders follow the framework tree."""
    plan: list[Entry] = []
    paths: dict[str, str] = {}
    for row in rows:
        node = row.node
        parent = paths.get(parents.get(node.code) or "", root)
        folder = f"{parent}/{_folder(node.code, node.name)}"
        paths[node.code] = folder
        if not node.is_leaf and not links.get(node.code):
            continue
        text = [f"{node.code} {node.name}", f"测评要求:{node.requirement}", f"佐证状态:{row.label}"]
        text += [f"  - {c.reason}" for c in row.checks]
        text += ["", "说明:", row.explanation or "(未填写说明)"]
        plan.append(Entry(f"{folder}/说明.txt", node.code, "\n".join(text).encode(), None, None))
        for activity_id in links.get(node.code, []):
            record = records[activity_id]
            where = f"{folder}/{record.folder}"
            plan.append(Entry(f"{where}/记录.txt", node.code, record.text, None, None))
            attached = files.get(activity_id)
            if not attached:
                continue
            seen: set[str] = set()
            day = record.day
            for name, stored in attached:
                arcname = f"{where}/{_unique(name, seen)}"
                line = (
                    node.code,
                    node.name,
                    row.label,
                    day,
                    record.kind,
                    record.title,
                    name,
                    arcname,
                )
                plan.append(Entry(arcname, node.code, b"", stored, line))
    return plan


def _index_sheet(path: Path, plan: list[Entry]) -> None:
    index = new_workbook(write_only=True)
    sheet = index.create_sheet("索引")
    sheet.append(INDEX_HEADER)
    for entry in plan:
        if entry.index_line:  # control characters pasted from Word are dropped by the sheet
            sheet.append(list(entry.index_line))
    index.save(path)


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
    # fpdf2 embeds a subset of the font; left to fontTools' default it measures every kept
    # glyph again to refresh the font's bounding boxes, half the cost of the whole PDF. The
    # cached font's own boxes hold every glyph of the subset already.
    embedded = pdf.fonts["cjk"]
    assert isinstance(embedded, TTFFont)
    embedded.ttfont.recalcBBoxes = False
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
