"""Material review: the reference library, fingerprinting reports, checks and verdicts.

Every change is one service: atomic, audited with ``audit_record``. Fingerprints are stored as
an inverted index (``Fingerprint``: hash → text, position) on PostgreSQL or SQLite; a check reads
the postings of the report's hashes and compares it (``wenming.core.copycheck``) with the texts
that share most of them: the library, every other report, the unit's earlier reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.campaigns.models import Application
from wenming.campaigns.services import application_return
from wenming.campaigns.transitions import Refused
from wenming.core.copycheck import Fingerprinted, fingerprint
from wenming.core.copycheck.compare import CheckResult, compare
from wenming.core.copycheck.index import sources_from_postings
from wenming.core.copycheck.winnow import text_hashes
from wenming.core.errors import ActionRefused
from wenming.documents.reading import DocumentRefused, report_text
from wenming.documents.selectors import report_of, report_sections
from wenming.frameworks.selectors import framework_of
from wenming.review.access import may_give_verdict, may_manage_library
from wenming.review.models import Check, Decision, Fingerprint, ReviewedText, TextKind, Verdict
from wenming.review.photos import photo_findings

MAX_LIBRARY_FILES = 200  # one upload
MAX_REASON = 1000
IN_CHUNK = 900  # hashes per query (SQLite's variable limit is far above; keeps plans small)


class ReviewRefused(ActionRefused):
    """A review action refused; the message says why in Chinese."""


def _store(row: ReviewedText, fp: Fingerprinted) -> None:
    Fingerprint.objects.bulk_create(
        [
            Fingerprint(text=row, hash=h, position=p)
            for h, p in zip(fp.hashes, fp.positions, strict=True)
        ],
        batch_size=2000,
    )


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
            _store(row, fp)
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


def report_text_of(application: Application) -> str:
    """The text a unit submits for the application: its self-inspection report, section by
    section ("" when it has none yet)."""
    report = report_of(application.unit, application.campaign.edition)
    if report is None:
        return ""
    lines: list[str] = [report.title]
    for heading, text in report_sections(report):
        lines.append(heading)
        lines.extend(line for line in text.splitlines() if not line.startswith("【需补充】"))
    return "\n".join(lines)


def _postings(fp: Fingerprinted, *, exclude: int) -> list[tuple[str, int, int]]:
    hashes = sorted(set(fp.hashes))
    out: list[tuple[str, int, int]] = []
    for i in range(0, len(hashes), IN_CHUNK):
        rows = (
            Fingerprint.objects.filter(hash__in=hashes[i : i + IN_CHUNK])
            .exclude(text_id=exclude)
            .values_list("text_id", "hash", "position")
        )
        out.extend((str(t), h, p) for t, h, p in rows)
    return out


def check_stored(fp: Fingerprinted, *, exclude: int = 0) -> CheckResult:
    """``fp`` compared with the stored texts that share most of its hashes."""
    documents = ReviewedText.objects.count()
    return compare(fp, sources_from_postings(_postings(fp, exclude=exclude), documents=documents))


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


def check_run(*, application: Application, now: datetime | None = None) -> Check:
    """Fingerprint the application's report (replacing the previous one) and check it; the
    campaign's notice and indicator texts are left out."""
    text = report_text_of(application)
    fp = fingerprint(text, ignore=campaign_phrases(application))
    with transaction.atomic():
        ReviewedText.objects.filter(kind=TextKind.REPORT, application=application).delete()
        row = ReviewedText.objects.create(
            kind=TextKind.REPORT,
            name=f"{application.unit.name}({application.campaign.year}年{application.campaign.name})",
            text=text,
            year=application.campaign.year,
            unit=application.unit,
            application=application,
            campaign=application.campaign,
            region_path=application.region_path,
            chars=fp.length,
        )
        _store(row, fp)
        result = check_stored(fp, exclude=row.pk)
        marks = _result_json(fp, result)
        marks["photos"] = photo_findings(application)
        check, _ = Check.objects.update_or_create(
            application=application,
            defaults={
                "unit": application.unit,
                "region_path": application.region_path,
                "text": row,
                "chars": result.chars,
                "copied_chars": result.copied_chars,
                "rate_permille": round(result.rate * 1000),
                "placeholders": len(result.placeholders),
                "result": marks,
                "checked_at": now or timezone.now(),
            },
        )
    return check


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
