"""Material review: the reference library, fingerprinting reports, checks and verdicts.

Every change is one service: atomic, audited with ``audit_record``. The texts of an application
are its own report, the report files uploaded for it or kept in its ledger, and its 说明 texts;
fingerprints are stored compactly (``wenming.review.store``) on PostgreSQL or SQLite, and each
text is compared (``wenming.core.copycheck``) with the stored texts that share most of its
hashes: the library, every other unit's texts, the unit's earlier ones.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wenming.assessments.models import Entry, EntryKind
from wenming.attachments.detect import FileRejected
from wenming.attachments.models import Attachment
from wenming.attachments.services import (
    attachment_remove,
    attachment_store,
    content_name,
    safe_name,
)
from wenming.audit.services import audit_record
from wenming.campaigns.models import Application
from wenming.campaigns.services import application_return
from wenming.campaigns.transitions import Refused
from wenming.core.copycheck import Fingerprinted, fingerprint
from wenming.core.copycheck.compare import CheckResult, compare
from wenming.core.copycheck.topics import Area, areas_of, off_topic
from wenming.core.copycheck.winnow import text_hashes
from wenming.core.errors import ActionRefused
from wenming.documents.docx_writer import NOTE_PREFIX
from wenming.documents.reading import MAX_BYTES, TEXT_SUFFIXES, DocumentRefused, report_text
from wenming.documents.report_findings import SUBHEADING
from wenming.documents.selectors import report_of, report_sections
from wenming.frameworks.selectors import framework_of
from wenming.ledger.models import Activity, ActivityIndicator, IndicatorExplanation
from wenming.review.access import may_give_verdict, may_manage_library, may_upload_reports
from wenming.review.models import Check, Decision, ReviewedText, TextKind, Verdict
from wenming.review.photos import photo_findings
from wenming.review.store import candidates, folded, store
from wenming.web.storage import stored_open

MAX_LIBRARY_FILES = 200  # one upload
MAX_REASON = 1000
MAX_UPLOADS = 10  # report files uploaded for one application
MAX_LEDGER_FILES = 20  # the ledger's report files read for one check
REPORT_WORDS = ("报告", "汇报", "总结")  # a ledger file named so is a report


class ReviewRefused(ActionRefused):
    """A review action refused; the message says why in Chinese."""


def library_upload(*, actor: User, files: Sequence[tuple[str, bytes]]) -> list[ReviewedText]:
    """Add templates (范文) to the reference library: all files or none (a refusal names the
    file)."""
    if not may_manage_library(actor):
        raise ReviewRefused("只有测评办公室可以维护参考库")
    if not files:
        raise ReviewRefused("请选择要上传的范文文件")
    if len(files) > MAX_LIBRARY_FILES:
        raise ReviewRefused(f"一次最多上传{MAX_LIBRARY_FILES}个文件")
    read: list[tuple[str, str]] = []
    for name, content in files:
        try:
            text = report_text(name=name, content=content).text
        except DocumentRefused as exc:
            raise ReviewRefused(f"{name}:{exc}") from None
        if not text.strip():
            raise ReviewRefused(f"{name}:文件中没有文字")
        read.append((name.rsplit(".", 1)[0][:200], text))
    rows = []
    with transaction.atomic():
        for name, text in read:
            fp = fingerprint(text)
            row = ReviewedText.objects.create(
                kind=TextKind.LIBRARY, name=name, text=text, chars=fp.length, created_by=actor
            )
            store(row, fp)
            audit_record(actor=actor, action="review.library_add", obj=row, new=name)
            rows.append(row)
    return rows


def library_remove(*, actor: User, text_id: int) -> None:
    if not may_manage_library(actor):
        raise ReviewRefused("只有测评办公室可以维护参考库")
    with transaction.atomic():
        row = ReviewedText.objects.filter(pk=text_id, kind=TextKind.LIBRARY).first()
        if row is None:
            raise ReviewRefused("范文不存在")
        audit_record(actor=actor, action="review.library_remove", obj=row, old=row.name)
        row.delete()


def report_lines(application: Application) -> tuple[list[str], list[tuple[int, str, str]]]:
    """The lines of the text a unit writes for the application (its self-inspection report,
    section by section, without the 【需补充】 notes; none when it has none yet), and its parts
    that may be about an indicator's area: (paragraph of the heading, heading, text) for each
    section and each ``## `` sub-heading inside one."""
    report = report_of(application.unit, application.campaign.edition)
    if report is None:
        return [], []
    lines: list[str] = [report.title]
    parts: list[tuple[int, str, list[str]]] = []
    for heading, text in report_sections(report):
        lines.append(heading)
        parts.append((len(lines), heading, []))
        for line in text.splitlines():
            if line.startswith(NOTE_PREFIX):
                continue
            if line.startswith(SUBHEADING):
                line = line.removeprefix(SUBHEADING)  # the editor's mark of a sub-heading
                lines.append(line)
                parts.append((len(lines), line, []))
                continue
            lines.append(line)
            if line.strip():
                parts[-1][2].append(line)
    # paragraphs are numbered over the non-empty lines (as ``paragraphs_of`` does)
    number = [0] * (len(lines) + 1)
    for i, line in enumerate(lines, start=1):
        number[i] = number[i - 1] + (1 if line.strip() else 0)
    return lines, [(number[at], heading, "\n".join(body)) for at, heading, body in parts]


def report_text_of(application: Application) -> str:
    """The text a unit submits for the application: its self-inspection report, section by
    section ("" when it has none yet)."""
    return "\n".join(report_lines(application)[0])


def check_stored(fp: Fingerprinted, *, exclude: Sequence[int] = ()) -> CheckResult:
    """``fp`` compared with the stored texts that share most of its hashes (the hashes folded as
    they are stored)."""
    small = folded(fp)
    return compare(small, candidates(small, exclude=exclude))


def _widened(text: str, source: str, span: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A copied span widened over the identical characters on either side (a run ends where its
    last kept hash ends, often a few characters before the copied sentence does)."""
    a, b, sa, sb = span
    while b < len(text) and sb < len(source) and text[b] == source[sb] and text[b] != "\n":
        b, sb = b + 1, sb + 1
    while a > 0 and sa > 0 and text[a - 1] == source[sa - 1] and text[a - 1] != "\n":
        a, sa = a - 1, sa - 1
    return a, b, sa, sb


def _result_json(fp: Fingerprinted, result: CheckResult) -> dict[str, Any]:
    """The marks kept with a check: offsets in the report and in each source text."""
    source_ids = {int(key) for key, _ in result.sources}
    texts = {row.pk: row.text for row in ReviewedText.objects.filter(pk__in=source_ids)}
    source_fps = {pk: fingerprint(text) for pk, text in texts.items()}
    spans = []
    for span in result.spans:
        src = source_fps.get(int(span.source))
        if src is None:
            continue
        start, end, s_start, s_end = _widened(
            fp.text,
            src.text,
            (
                *fp.text_span(span.start, span.end),
                *src.text_span(span.source_start, span.source_end),
            ),
        )
        spans.append(
            {
                "source": int(span.source),
                "start": start,
                "end": end,
                "source_start": s_start,
                "source_end": s_end,
            }
        )
    return {
        "sources": [[int(k), c] for k, c in result.sources],
        "paragraphs": [
            {
                "index": p.index,
                "start": p.start,
                "end": p.end,
                "chars": p.chars,
                "copied_chars": p.copied_chars,
                "copied": p.copied,
                "sources": [[int(k), c] for k, c in p.sources],
            }
            for p in result.paragraphs
        ],
        "spans": spans,
        "placeholders": [
            {"kind": h.kind, "text": h.text, "offset": h.offset, "paragraph": h.paragraph}
            for h in result.placeholders
        ],
    }


def campaign_phrases(application: Application) -> frozenset[int]:
    """Hashes of the campaign's own texts (the notice, every indicator's name, requirement,
    rule and evidence): quoting them is not copying."""
    framework = framework_of(application.campaign.edition)
    parts = [framework.notice, framework.description]
    stack = list(framework.indicators)
    while stack:
        node = stack.pop()
        parts += [node.name, node.requirement, node.rule, *node.evidence]
        stack.extend(node.children)
    return text_hashes("\n".join(p for p in parts if p))


def _areas(application: Application) -> tuple[list[Area], dict[str, list[str]]]:
    """The framework's areas with their key terms, and the names of each area's next level
    (what the page offers as examples of its subject)."""
    framework = framework_of(application.campaign.edition)
    names = []
    examples: dict[str, list[str]] = {}
    for root in framework.indicators:
        examples[root.code] = [child.name for child in root.children][:4]
        below: list[str] = []
        stack = list(root.children)
        while stack:
            node = stack.pop()
            below.append(node.name)
            stack.extend(node.children)
        names.append((root.code, root.name, below))
    return areas_of(names), examples


def off_topic_parts(application: Application) -> list[dict[str, Any]]:
    """The parts of the unit's own report about an indicator's area that say nothing of it
    (shown on the review page, to the unit before it submits and to the reviewers)."""
    _, parts = report_lines(application)
    areas, examples = _areas(application)
    found = off_topic([(heading, body) for _, heading, body in parts], areas)
    return [
        {
            "paragraph": parts[f.index][0],
            "heading": f.heading,
            "area": f.area.name,
            "examples": examples.get(f.area.code, []),
        }
        for f in found
    ]


def explanation_lines(application: Application) -> tuple[list[str], list[str]]:
    """The 说明 texts the unit wrote for the application's indicators, one line an indicator
    (the self-assessment's note, then the ledger's 说明), with each line's indicator label."""
    framework = framework_of(application.campaign.edition)
    names: dict[str, str] = {}
    stack = list(framework.indicators)
    order: list[str] = []
    while stack:
        node = stack.pop(0)
        names[node.code] = node.name
        order.append(node.code)
        stack[:0] = list(node.children)
    texts: dict[str, list[str]] = {}
    for code, note in Entry.objects.filter(
        assessment_id=application.assessment_id, kind=EntryKind.ITEM
    ).values_list("code", "note"):
        if note.strip():
            texts.setdefault(code, []).append(note)
    for code, text in IndicatorExplanation.objects.filter(
        unit_id=application.unit_id, edition_id=application.campaign.edition_id
    ).values_list("code", "text"):
        if text.strip():
            texts.setdefault(code, []).append(text)
    lines, labels = [], []
    for code in order + sorted(set(texts) - set(order)):
        if code not in texts:
            continue
        joined = " ".join(" ".join(t.split()) for t in texts[code])
        lines.append(joined)
        labels.append(f"{code} {names.get(code, '')}".strip())
    return lines, labels


def ledger_report_files(application: Application) -> list[Attachment]:
    """Report files of the unit's ledger for the campaign's indicators (a .docx/.pdf named as a
    report, 汇报 or 总结, or filed under 调研报告), newest first, at most MAX_LEDGER_FILES."""
    activities = ActivityIndicator.objects.filter(
        unit_id=application.unit_id, edition_id=application.campaign.edition_id
    ).values_list("activity_id", flat=True)
    named = Q()
    for word in REPORT_WORDS:
        named |= Q(name__contains=word)
    typed = Activity.objects.filter(pk__in=activities, activity_type__name="调研报告").values_list(
        "pk", flat=True
    )
    rows = (
        Attachment.objects.filter(
            unit_id=application.unit_id,
            owner_type="ledger.activity",
            file__kind__in=["pdf", "word"],
            owner_id__in=[str(pk) for pk in activities],
        )
        .filter(named | Q(owner_id__in=[str(pk) for pk in typed]))
        .select_related("file")
        .order_by("-uploaded_at", "-pk")
    )
    return [a for a in rows if a.name.lower().endswith(TEXT_SUFFIXES)][:MAX_LEDGER_FILES]


def _file_text(attachment: Attachment) -> str:
    with stored_open(content_name(attachment.file.sha256)) as stream:
        content = stream.read(MAX_BYTES + 1)
    return report_text(name=attachment.name, content=content).text


def _campaign_label(application: Application) -> str:
    campaign = application.campaign
    year = f"{campaign.year}年"
    return campaign.name if campaign.name.startswith(year) else f"{year}{campaign.name}"


def _application_row(application: Application, **fields: Any) -> ReviewedText:
    return ReviewedText.objects.create(
        year=application.campaign.year,
        unit=application.unit,
        application=application,
        campaign=application.campaign,
        region_path=application.region_path,
        **fields,
    )


def _texts_to_check(application: Application) -> tuple[list[ReviewedText], list[dict[str, str]]]:
    """The application's texts, stored afresh (own report, 说明 texts, the ledger's report
    files; the files uploaded for it are kept), and the files that could not be read."""
    unit = application.unit
    old = ReviewedText.objects.filter(application=application).filter(
        Q(kind__in=[TextKind.REPORT, TextKind.EXPLANATION])
        | Q(kind=TextKind.UPLOAD, attachment__owner_type="ledger.activity")
    )
    for row in old:
        row.delete()  # one by one: the pre_delete receiver drops the row's index entries
    rows: list[ReviewedText] = []
    text = report_text_of(application)
    if text.strip():
        rows.append(
            _application_row(
                application,
                kind=TextKind.REPORT,
                name=f"{unit.name}({_campaign_label(application)})",
                text=text,
            )
        )
    rows.extend(
        ReviewedText.objects.filter(application=application, kind=TextKind.UPLOAD).order_by("pk")
    )
    unread: list[dict[str, str]] = []
    for attachment in ledger_report_files(application):
        try:
            content = _file_text(attachment)
        except (DocumentRefused, FileNotFoundError) as exc:
            unread.append({"name": attachment.name, "reason": str(exc) or "文件不存在"})
            continue
        if content.strip():
            rows.append(
                _application_row(
                    application,
                    kind=TextKind.UPLOAD,
                    name=f"{unit.name}台账:{attachment.name}"[:200],
                    text=content,
                    attachment=attachment,
                )
            )
    lines, _ = explanation_lines(application)
    if lines:
        rows.append(
            _application_row(
                application,
                kind=TextKind.EXPLANATION,
                name=f"{unit.name}指标说明({_campaign_label(application)})",
                text="\n".join(lines),
            )
        )
    return rows, unread


def _rate(copied: int, chars: int) -> int:
    return round(copied * 1000 / chars) if chars else 0


def check_run(*, application: Application, now: datetime | None = None) -> Check:
    """Fingerprint the application's texts (replacing the previous ones) and check each against
    the library, every other stored text and the unit's earlier ones; the campaign's notice and
    indicator texts are left out, the application's texts are not compared with each other."""
    ignore = campaign_phrases(application)
    with transaction.atomic():
        rows, unread = _texts_to_check(application)
        prints: dict[int, Fingerprinted] = {}
        for row in rows:
            fp = fingerprint(row.text, ignore=ignore)
            row.chars = fp.length
            row.save(update_fields=["chars"])
            prints[row.pk] = store(row, fp)
        own = {row.pk for row in rows}
        entries = []
        for row in rows:
            fp = prints[row.pk]
            result = compare(fp, candidates(fp, exclude=own))
            entry = {
                "text": row.pk,
                "kind": row.kind,
                "name": row.attachment.name if row.attachment else row.name,
                "chars": result.chars,
                "copied_chars": result.copied_chars,
                "rate_permille": _rate(result.copied_chars, result.chars),
                **_result_json(fp, result),
            }
            if row.kind == TextKind.REPORT:
                entry["off_topic"] = off_topic_parts(application)
            if row.kind == TextKind.EXPLANATION:
                entry["labels"] = explanation_lines(application)[1]
            entries.append(entry)
        chars = sum(e["chars"] for e in entries)
        copied = sum(e["copied_chars"] for e in entries)
        report_row = next((r for r in rows if r.kind == TextKind.REPORT), None)
        check, _ = Check.objects.update_or_create(
            application=application,
            defaults={
                "unit": application.unit,
                "region_path": application.region_path,
                "text": report_row,
                "chars": chars,
                "copied_chars": copied,
                "rate_permille": _rate(copied, chars),
                "placeholders": sum(len(e["placeholders"]) for e in entries),
                "result": {
                    "texts": entries,
                    "unread": unread,
                    "photos": photo_findings(application),
                },
                "checked_at": now or timezone.now(),
            },
        )
    return check


def report_file_add(
    *, actor: User, application: Application, name: str, content: bytes
) -> ReviewedText:
    """A report file (汇报材料, 工作总结 …: .txt/.docx/.pdf) the unit uploads for the
    application; checked with its own report. A .docx/.pdf is kept in the attachment store."""
    if not may_upload_reports(actor, application):
        raise ReviewRefused("只有本单位人员在申报提交前可以上传汇报材料")
    name = safe_name(name or "汇报材料")
    if (
        ReviewedText.objects.filter(application=application, kind=TextKind.UPLOAD)
        .exclude(attachment__owner_type="ledger.activity")
        .count()
        >= MAX_UPLOADS
    ):
        raise ReviewRefused(f"每个申报最多上传{MAX_UPLOADS}份汇报材料")
    try:
        text = report_text(name=name, content=content).text
    except DocumentRefused as exc:
        raise ReviewRefused(f"{name}:{exc}") from None
    if not text.strip():
        raise ReviewRefused(f"{name}:文件中没有文字")
    # one transaction: a text that cannot be saved leaves no attachment (nor its audit event)
    # behind; a .txt is kept as its text only (downloaded from it: report_file_download)
    with transaction.atomic():
        attachment = None
        if not name.lower().endswith(".txt"):
            try:
                attachment, _ = attachment_store(
                    unit=application.unit,
                    owner=application,
                    name=name,
                    stream=io.BytesIO(content),
                    actor=actor,
                )
            except FileRejected as exc:
                raise ReviewRefused(f"{name}:{exc}") from None
        row = _application_row(
            application,
            kind=TextKind.UPLOAD,
            name=name[:200],
            text=text,
            attachment=attachment,
            created_by=actor,
        )
        audit_record(actor=actor, action="review.upload_add", obj=application, new=name)
    return row


def report_file_remove(*, actor: User, application: Application, text_id: int) -> None:
    if not may_upload_reports(actor, application):
        raise ReviewRefused("只有本单位人员在申报提交前可以删除汇报材料")
    with transaction.atomic():
        row = (
            ReviewedText.objects.filter(pk=text_id, application=application, kind=TextKind.UPLOAD)
            .exclude(attachment__owner_type="ledger.activity")
            .select_related("attachment__file")
            .first()
        )
        if row is None:
            raise ReviewRefused("汇报材料不存在")
        audit_record(actor=actor, action="review.upload_remove", obj=application, old=row.name)
        if row.attachment is not None:
            attachment_remove(attachment=row.attachment, actor=actor)  # the text goes with it
        else:
            row.delete()


def verdict_record(
    *, actor: User, application_id: int, decision: str, reason: str, version: int
) -> Verdict:
    """Record the reviewer's verdict on the check (audited); 退回修改 returns the application to
    the unit with the reason, the marks stay on the review page for the unit to see."""
    reason = reason.strip()
    if decision not in Decision.values:
        raise ReviewRefused("请选择审查结论")
    if len(reason) > MAX_REASON:
        raise ReviewRefused(f"理由过长(上限{MAX_REASON}字)")
    if decision == Decision.RETURN and not reason:
        raise ReviewRefused("退回修改时请填写理由")
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("campaign", "unit")
            .filter(pk=application_id)
            .first()
        )
        if application is None or not may_give_verdict(actor, application):
            raise ReviewRefused("只有当前环节的审核人可以作出审查结论")
        check = Check.objects.filter(application=application).first()
        if check is None:
            raise ReviewRefused("该申报的材料尚未审查,请先开始审查")
        verdict = Verdict.objects.create(
            application=application,
            unit=application.unit,
            region_path=application.region_path,
            decision=decision,
            reason=reason,
            rate_permille=check.rate_permille,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="review.verdict",
            obj=application,
            field="材料审查",
            new=Decision(decision).label,
            comment=reason,
        )
        if decision == Decision.RETURN:
            try:
                application_return(
                    actor=actor,
                    application_id=application.pk,
                    version=version,
                    reason=f"材料审查退回修改:{reason}",
                )
            except Refused as exc:
                raise ReviewRefused(str(exc)) from None
    return verdict
