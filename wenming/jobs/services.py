"""Background jobs with progress, run by Django's task interface (django-tasks): on a
database-backed worker that ``wenming serve`` starts (no Redis or broker needed), or on RQ
when Redis is configured; ``wenming worker`` runs either.

A killed worker loses no job: the worker holds a running job for a lease it renews while it
works (:data:`LEASE`); :func:`jobs_recover`, run by every worker every half minute, enqueues
again a job whose lease ran out or whose enqueue was lost, and :func:`job_run` claims a job
with a compare-and-set, so a job delivered twice runs once. Handlers only build a result file,
so running one again after a crash is harmless. The result goes to the store
(:mod:`wenming.web.storage`) under :func:`job_result_name`.

To add a kind of job: write ``handler(job, progress) -> Path`` that builds the result file
(calling ``progress(done, total, message)`` as it goes), register it with
:func:`register_job`, and call :func:`wenming.jobs.tasks.job_start`. The result is served to the job's owner only.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from wenming.jobs.models import Job, JobStatus
from wenming.web.storage import stored_put

logger = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
Handler = Callable[[Job, Progress], Path]
HANDLERS: dict[str, Handler] = {}

PROGRESS_INTERVAL = 0.3  # seconds between two progress writes


def register_job(kind: str) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return wrap


LEASE = timedelta(minutes=2)
QUEUED_GRACE = timedelta(minutes=10)  # a queued job not picked up by then is enqueued again
MAX_ATTEMPTS = 3
INTERRUPTED = "任务多次中断(后台任务进程停止),未能完成;请重新发起"


def result_dir() -> Path:
    """This host's scratch directory where handlers build result files."""
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_result_name(job: Job) -> str:
    """The result's name in the store."""
    return f"jobs/{job.pk}.bin"


def result_path(job: Job) -> Path:
    """Where a directory store keeps the result (tests look at the disk)."""
    result_dir()
    return Path(settings.MEDIA_ROOT) / job_result_name(job)


def _claim(job_id: int) -> bool:
    """Take the job for this worker: queued, or running under a lease that ran out."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now)
    return bool(
        Job.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=JobStatus.RUNNING,
            started_at=now,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )


class _Lease:
    """Renews the lease from a side thread while the handler works (a handler may go minutes
    without reporting progress)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, daemon=True)

    def __enter__(self) -> _Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _renew(self) -> None:
        try:
            while not self.stop.wait(LEASE.total_seconds() / 4):
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                    lease_until=timezone.now() + LEASE
                )
        except Exception:  # the database is away: the lease runs out and the job is retried
            logger.exception("job %s: lease not renewed", self.job_id)
        finally:
            connection.close()


def job_run(job_id: int) -> None:
    """Run one job (called by the worker). Progress is written as it goes; failures are kept.
    A job already done, failed or running under another worker's lease is left alone."""
    if not _claim(job_id):
        return
    job = Job.objects.get(pk=job_id)

    last_write = 0.0

    def progress(done: int, total: int, message: str = "") -> None:
        # a handler may report thousands of steps; the page polls every second or so
        nonlocal last_write
        now = time.monotonic()
        if done < total and now - last_write < PROGRESS_INTERVAL:
            return
        last_write = now
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=message[:300])

    try:
        with _Lease(job_id):
            produced = HANDLERS[job.kind](job, progress)
            stored_put(job_result_name(job), produced)
    except Exception as exc:  # a failed job is reported to its owner, not lost
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{exc}\n{traceback.format_exc(limit=3)}"[:4000],
            message=f"失败:{exc}"[:300],
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, finished_at=timezone.now(), message="完成", lease_until=None
    )


def jobs_stale(now: datetime) -> QuerySet[Job]:
    """Running jobs whose worker stopped renewing; queued ones whose enqueue may be lost."""
    return Job.objects.filter(
        Q(status=JobStatus.RUNNING, lease_until__lt=now)
        | Q(status=JobStatus.QUEUED, lease_until__lt=now)
        | Q(status=JobStatus.QUEUED, lease_until__isnull=True, created_at__lt=now - QUEUED_GRACE)
    )


def jobs_recover(enqueue: Callable[[int], object]) -> tuple[int, int]:
    """Hand stale jobs to ``enqueue`` again; fail the ones out of attempts. Returns (enqueued,
    failed). Safe from several workers at once: a job enqueued twice is claimed once."""
    now = timezone.now()
    enqueued = failed = 0
    for job in jobs_stale(now).only("pk", "status", "attempts"):
        if job.attempts >= MAX_ATTEMPTS:
            failed += (
                jobs_stale(now)
                .filter(pk=job.pk)
                .update(
                    status=JobStatus.FAILED, finished_at=now, message=INTERRUPTED, error=INTERRUPTED
                )
            )
            continue
        if job.status == JobStatus.QUEUED:
            Job.objects.filter(pk=job.pk).update(lease_until=now + QUEUED_GRACE)
        enqueue(job.pk)
        enqueued += 1
    return enqueued, failed
