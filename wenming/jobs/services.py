"""Background jobs with progress, run by Django's task interface (django-tasks) on a
database-backed worker that ``wenming serve`` starts; no Redis or broker needed.

To add a kind of job: write ``handler(job, progress) -> Path`` that builds the result file
(calling ``progress(done, total, message)`` as it goes), register it with
:func:`register_job`, and call :func:`wenming.jobs.tasks.job_start`. The result is served to the job's owner only.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from wenming.jobs.models import Job, JobStatus

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


def result_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_path(job: Job) -> Path:
    return result_dir() / f"{job.pk}.bin"


def job_run(job_id: int) -> None:
    """Run one job (called by the worker). Progress is written as it goes; failures are kept."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())

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
        produced = HANDLERS[job.kind](job, progress)
        produced.replace(result_path(job))
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
        status=JobStatus.DONE, finished_at=timezone.now(), message="完成"
    )
