"""Walk the audit chain and report its first broken or missing link, in Chinese.

The walk reads the events in batches by sequence number (keyset pagination), so memory stays
flat for millions of events; it never locks out writers. A stored result
(:class:`AuditVerification`) is what the audit page shows; ``wenming audit verify`` and the
page's button (a background job) both run :func:`verification_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.utils import timezone

from wenming.audit.chain import CONTENT_FIELDS, digest
from wenming.audit.models import GENESIS, AuditEvent, AuditVerification
from wenming.audit.services import ACTION_LABELS
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.jobs.tasks import job_start
from wenming.web.db.prepared import PreparedPerKey

BATCH = 2000
VERIFY_JOB = "audit_verify"
STALE_AFTER = timedelta(hours=6)
STATE_INTACT = "完整"
STATE_BROKEN = "已被改动"
_WALK_FIELDS = ("chain_version", "hash", *CONTENT_FIELDS)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    break_seq: int | None = None
    message: str = ""


@dataclass(frozen=True)
class Anchor:
    """The head seen by an earlier verification: a chain recomputed since shows there."""

    seq: int
    hash: str
    at: datetime


def _short(value: str) -> str:
    return f"{value[:16]}…" if value else "(空)"


def _event(row: tuple[object, ...]) -> str:
    fields = dict(zip(_WALK_FIELDS, row, strict=True))
    at = fields["at"]
    when = f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}" if isinstance(at, datetime) else "?"
    action = str(fields["action"])
    label = str(fields["object_label"]) or f"对象编号{fields['object_id']}"
    return f"第{fields['seq']}号记录({when},{ACTION_LABELS.get(action, action)},{label})"


def _missing(first: int, last: int) -> str:
    return f"第{first}号记录缺失" if first == last else f"第{first}至第{last}号记录缺失"


def _check_row(row: tuple[object, ...], expected: int, prev_hash: str) -> str:
    """Why ``row`` is not the next link after ``prev_hash`` at ``expected``; "" if it is."""
    version, stored, seq, row_prev = row[0], str(row[1]), row[2], str(row[3])
    assert isinstance(seq, int) and isinstance(version, int)
    if seq > expected:
        return f"{_missing(expected, seq - 1)}(已被删除),断在{_event(row)}之前"
    if row_prev != prev_hash:
        before = f"第{expected - 1}号记录" if expected > 1 else "链的起点"
        return (
            f"{_event(row)}与{before}的链接断开:它登记的前一条摘要 {_short(row_prev)} 与"
            f"{before}的摘要 {_short(prev_hash)} 不同(记录被插入、调换顺序,或前一条被重写)"
        )
    computed = digest(version, row[2:])
    if computed is None:
        return f"{_event(row)}的格式版本 {version} 无法识别"
    if computed != stored:
        return (
            f"{_event(row)}的内容已被改动:登记的摘要 {_short(stored)} 与按现有内容"
            f"(时间、操作人、操作、对象、项目、原值、新值、备注)算出的摘要 {_short(computed)} 不符"
        )
    return ""


def chain_verify(
    *,
    anchor: Anchor | None = None,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> ChainReport:
    """Check every link from the first event to the last; stop at the first break. Events
    appended while the walk runs are checked too if it reaches them."""
    expected, prev_hash, checked = 1, GENESIS, 0
    total = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def broken(seq: int, message: str) -> ChainReport:
        return ChainReport(False, checked, expected - 1, prev_hash, seq, message)

    while rows := list(
        AuditEvent.objects.filter(seq__gte=expected)
        .order_by("seq")
        .values_list(*_WALK_FIELDS)[:batch]
    ):
        for row in rows:
            problem = _check_row(row, expected, prev_hash)
            if problem:
                return broken(expected, problem)
            seq, stored = int(str(row[2])), str(row[1])
            if anchor and seq == anchor.seq and stored != anchor.hash:
                return broken(
                    seq,
                    f"{_event(row)}的摘要与{_when(anchor.at)}核验时记下的 {_short(anchor.hash)} "
                    "不同:该记录在那次核验后被替换,或整条链被重新计算过",
                )
            expected, prev_hash, checked = seq + 1, stored, checked + 1
        if progress:
            progress(checked, max(total, checked))
    last = expected - 1
    if anchor and anchor.seq > last:
        return broken(
            last + 1,
            f"{_when(anchor.at)}核验时链上有{anchor.seq}条记录,现在只到第{last}号:"
            f"{_missing(last + 1, anchor.seq)}(链尾的记录已被删除)",
        )
    return ChainReport(True, checked, last, prev_hash)


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


# read on every visit to the audit page: written once per process (PreparedPerKey)
_LATEST: PreparedPerKey[AuditVerification] = PreparedPerKey(size=1)
_UNDER_WAY: PreparedPerKey[Job] = PreparedPerKey(size=1)


def verification_latest() -> AuditVerification | None:
    found = _LATEST.list("latest", lambda: AuditVerification.objects.select_related("by")[:1])
    return found[0] if found else None


def _anchor() -> Anchor | None:
    last_ok = AuditVerification.objects.filter(ok=True, head_seq__gt=0).first()
    if last_ok is None:
        return None
    return Anchor(last_ok.head_seq, last_ok.head_hash, last_ok.finished_at)


def verification_run(
    *, by: User | None = None, progress: Callable[[int, int], None] | None = None
) -> AuditVerification:
    """Verify the whole chain against the last intact verification's head; store the result."""
    started = timezone.now()
    report = chain_verify(anchor=_anchor(), progress=progress)
    return AuditVerification.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        by=by,
        ok=report.ok,
        checked=report.checked,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        break_seq=report.break_seq,
        message=report.message,
    )


def verification_in_progress() -> Job | None:
    """The walk under way, if any; one left behind by a stopped worker stops counting after a
    few hours so that the button comes back."""
    waiting = _UNDER_WAY.list(
        "under way",
        lambda: Job.objects.filter(
            kind=VERIFY_JOB, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).order_by("pk"),
    )
    since = timezone.now() - STALE_AFTER
    return next((job for job in waiting if job.created_at >= since), None)


def verification_start(*, by: User) -> Job:
    """Start a walk in the background, or return the one already under way."""
    return verification_in_progress() or job_start(kind=VERIFY_JOB, label="核验审计链", owner=by)


def verification_summary(verification: AuditVerification) -> str:
    when = f"{timezone.localtime(verification.finished_at):%Y-%m-%d %H:%M:%S}"
    if verification.ok:
        return (
            f"审计链{STATE_INTACT}:{verification.checked}条记录逐条核验无误"
            f"(核验时间 {when},链头第{verification.head_seq}号,"
            f"链头摘要 {verification.head_hash})"
        )
    return f"审计链{STATE_BROKEN}(核验时间 {when}):{verification.message}"


@register_job(VERIFY_JOB)
def verify_job(job: Job, progress: Progress) -> Path:
    owner = User.objects.filter(pk=job.owner_id).first()
    verification = verification_run(
        by=owner, progress=lambda done, total: progress(done, total, f"已核验{done}条")
    )
    target = result_dir() / f"audit-verify-{job.pk}.txt"
    target.write_text(verification_summary(verification) + "\n", encoding="utf-8")
    Job.objects.filter(pk=job.pk).update(result_name="审计链核验结果.txt")
    return target
